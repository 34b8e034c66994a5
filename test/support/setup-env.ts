// Every test file: quiet SDK version notices, no real AWS profile lookups, deterministic service names.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.POWERTOOLS_DEV = process.env.POWERTOOLS_DEV ?? 'false';
process.env.POWERTOOLS_METRICS_NAMESPACE = process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'Moncreneau';
process.env.POWERTOOLS_SERVICE_NAME = process.env.POWERTOOLS_SERVICE_NAME ?? 'moncreneau-test';

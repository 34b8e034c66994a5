/**
 * AWS WAF in front of the API stage (stages with `waf` in their config, prod by default):
 *
 * 1. A per-source-IP rate rule: a flood from a few addresses is blocked at the edge instead of using up the
 *    webhook route's throttle, which MONCRENEAU's deliveries share.
 * 2. The AWS managed common rule set on every route except the public ones, as AWS ships it.
 * 3. The same set on the public routes (the HMAC-verified webhook), with the rules that would block a signed
 *    MONCRENEAU delivery switched to Count (still measured): SizeRestrictions_BODY blocks bodies above 8 KB
 *    where ours may reach `maxBodyBytes` (~190 KiB; the receiver answers 413 above it); the body rules
 *    (XSS, LFI, RFI, SSRF patterns) would match free text in appointment fields and the receiver never
 *    renders or executes a body — it verifies its signature before parsing it; NoUserAgent_HEADER because
 *    MONCRENEAU documents no User-Agent. A blocked signed delivery is retried, then lost.
 */
import { CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import type { RouteSpec } from '../wiring';

/** Rules of AWSManagedRulesCommonRuleSet set to Count on public routes (see the file comment). */
export const COUNT_ONLY_ON_PUBLIC_ROUTES = [
  'SizeRestrictions_BODY',
  'CrossSiteScripting_BODY',
  'GenericLFI_BODY',
  'GenericRFI_BODY',
  'EC2MetaDataSSRF_BODY',
  'NoUserAgent_HEADER',
] as const;

export interface WebFirewallProps {
  readonly name: string;
  /** The API stage's ARN (arn:aws:apigateway:<region>::/restapis/<id>/stages/<stage>). */
  readonly stageArn: string;
  readonly stageName: string;
  readonly routes: readonly RouteSpec[];
  readonly requestsPerIpPer5Minutes: number;
}

type Statement = CfnWebACL.StatementProperty;

/** The URI path WAF sees for a route on a REST API stage: `/<stage>/<path>`; a parameterized path by its fixed prefix. */
function pathMatch(stageName: string, route: RouteSpec): Statement {
  const param = route.path.indexOf('{');
  const fixed = `/${stageName}${param < 0 ? route.path : route.path.slice(0, param)}`;
  return {
    byteMatchStatement: {
      fieldToMatch: { uriPath: {} },
      positionalConstraint: param < 0 ? 'EXACTLY' : 'STARTS_WITH',
      searchString: fixed,
      textTransformations: [{ priority: 0, type: 'NONE' }],
    },
  };
}

function anyOf(statements: Statement[]): Statement {
  return statements.length === 1 ? statements[0] : { orStatement: { statements } };
}

const visibility = (metricName: string): CfnWebACL.VisibilityConfigProperty => ({ cloudWatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true });

const commonRuleSet = (scopeDown: Statement | undefined, countOnly: readonly string[]): Statement => ({
  managedRuleGroupStatement: {
    vendorName: 'AWS',
    name: 'AWSManagedRulesCommonRuleSet',
    scopeDownStatement: scopeDown,
    ruleActionOverrides: countOnly.length ? countOnly.map((name) => ({ name, actionToUse: { count: {} } })) : undefined,
  },
});

export class WebFirewall extends Construct {
  readonly webAcl: CfnWebACL;

  constructor(scope: Construct, id: string, props: WebFirewallProps) {
    super(scope, id);
    const publicRoutes = props.routes.filter((r) => r.auth === 'none');
    const isPublic = publicRoutes.length ? anyOf(publicRoutes.map((r) => pathMatch(props.stageName, r))) : undefined;

    const rules: CfnWebACL.RuleProperty[] = [
      {
        name: 'RatePerSourceIp',
        priority: 0,
        action: { block: {} },
        statement: { rateBasedStatement: { aggregateKeyType: 'IP', limit: props.requestsPerIpPer5Minutes, evaluationWindowSec: 300 } },
        visibilityConfig: visibility(`${props.name}-rate-per-ip`),
      },
      {
        name: 'CommonRuleSet',
        priority: 1,
        overrideAction: { none: {} },
        statement: commonRuleSet(isPublic ? { notStatement: { statement: isPublic } } : undefined, []),
        visibilityConfig: visibility(`${props.name}-common`),
      },
    ];
    if (isPublic) {
      rules.push({
        name: 'CommonRuleSetPublicRoutes',
        priority: 2,
        overrideAction: { none: {} },
        statement: commonRuleSet(isPublic, COUNT_ONLY_ON_PUBLIC_ROUTES),
        visibilityConfig: visibility(`${props.name}-common-public`),
      });
    }

    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      name: props.name,
      description: 'Per-IP rate limit and the AWS managed common rule set in front of the MONCRENEAU kit API',
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(props.name),
      rules,
    });
    new CfnWebACLAssociation(this, 'Association', { resourceArn: props.stageArn, webAclArn: this.webAcl.attrArn });
  }
}

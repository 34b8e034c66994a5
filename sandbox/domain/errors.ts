/** The documented error envelope `{error:{code,message,details}}` as a throwable value. */

export type ErrorDetails = Record<string, unknown>;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: ErrorDetails,
    /** Extra response headers (429 carries the rate-limit headers). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toBody(): { error: { code: string; message: string; details?: ErrorDetails } } {
    return { error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) } };
  }
}

export const missingField = (field: string): ApiError =>
  new ApiError(400, 'MISSING_REQUIRED_FIELD', `Field '${field}' is required`, { field });

export const invalidRequest = (message: string, details?: ErrorDetails): ApiError =>
  new ApiError(400, 'INVALID_REQUEST', message, details);

/** Value errors use the configurable status (docs list both 400 and 422 without mapping codes to them). */
export const invalidValue = (status: number, field: string, value: unknown, reason: string): ApiError =>
  new ApiError(status, 'INVALID_FIELD_VALUE', `Invalid value for '${field}': ${reason}`, { field, value });

export const invalidDateTime = (status: number, field: string, value: unknown, reason: string): ApiError =>
  new ApiError(status, 'INVALID_DATE_TIME', `Invalid date/time for '${field}': ${reason}`, { field, value });

export const notFound = (code: 'APPOINTMENT_NOT_FOUND' | 'DEPARTMENT_NOT_FOUND', id: string): ApiError =>
  new ApiError(404, code, `${code === 'APPOINTMENT_NOT_FOUND' ? 'Appointment' : 'Department'} ${id} not found`, { id });

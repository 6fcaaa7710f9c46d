// Roster's errors in words. The API answers {"error": {code, message, fields?, requestId}};
// API Gateway answers {"message"} for what it refuses itself (throttles, missing routes).
// A form shows a field's error beside that field and everything else in one alert.
import { formatWait, t } from "../i18n";

export interface ApiError {
  status: number; // 0 when the API could not be reached
  code: string; // error.code, or "network", "throttled", "http_<status>"
  message: string;
  fields: Record<string, string>;
  requestId?: string;
  retryAfter?: number; // seconds, from Retry-After
}

export function networkError(): ApiError {
  return { status: 0, code: "network", message: "", fields: {} };
}

export function toApiError(response: Response, body: unknown): ApiError {
  const retry = Number(response.headers.get("Retry-After"));
  const retryAfter = Number.isFinite(retry) && retry > 0 ? retry : undefined;
  const e = (body as { error?: unknown } | null)?.error;
  if (e && typeof e === "object" && typeof (e as { code?: unknown }).code === "string") {
    const err = e as { code: string; message?: string; fields?: Record<string, string>; requestId?: string };
    return {
      status: response.status,
      code: err.code,
      message: err.message ?? "",
      fields: err.fields ?? {},
      requestId: err.requestId,
      retryAfter,
    };
  }
  // The gateway's own answers carry no code: name them by status.
  const byStatus: Record<number, string> = { 401: "unauthenticated", 404: "not_found", 429: "throttled", 500: "internal", 503: "internal" };
  return { status: response.status, code: byStatus[response.status] ?? `http_${response.status}`, message: "", fields: {}, retryAfter };
}

// The API's field messages (internal/validate and the handlers) are English sentences
// with stable wording; each known one has words in every catalogue.
const fieldRules: [RegExp, string, (m: RegExpMatchArray) => Record<string, unknown>][] = [
  [/^is required/, "required", () => ({})],
  [/^must be (\d+) to (\d+) characters$/, "length", (m) => ({ min: m[1], max: m[2] })],
  [/^must be at most (\d+) characters$/, "maxLength", (m) => ({ max: m[1] })],
  [/^is too long$/, "tooLong", () => ({})],
  [/^may contain only ASCII letters/, "loginChars", () => ({})],
  [/^may contain only letters/, "usernameChars", () => ({})],
  [/^must be a valid email address$/, "email", () => ({})],
  [/^must be (\d+) digits$/, "digits", (m) => ({ n: m[1] })],
  [/^must not begin or end with a space$/, "passwordSpace", () => ({})],
  [/^must not contain the login account$/, "passwordContainsLogin", () => ({})],
  [/^is too common/, "passwordCommon", () => ({})],
  [/^must be the same as password$/, "confirmMismatch", () => ({})],
  [/^is incorrect or has expired;/, "codeWrong", () => ({})],
  [/^is incorrect or has expired$/, "codeIncorrect", () => ({})],
  [/^is incorrect$/, "incorrect", () => ({})],
  [/^must differ from the current password$/, "sameAsCurrent", () => ({})],
  [/^is already your email address$/, "alreadyYourEmail", () => ({})],
  [/^must not contain invisible/, "invisible", () => ({})],
  [/^must not contain control characters$|^must be valid UTF-8/, "control", () => ({})],
  [/^give either invitationCode or invitationToken/, "eitherInvitation", () => ({})],
  [/^is not an invitation token$/, "invitationToken", () => ({})],
  // The admin pages' fields.
  [/^must be in E\.164 format/, "mobile", () => ({})],
  [/^needs an email address to send the password to$/, "notifyNeedsEmail", () => ({})],
  [/^must be either generated or given, not both$/, "passwordChoice", () => ({})],
  [/^is not an existing role$/, "roleMissing", () => ({})],
  [/^grants permissions you do not hold/, "roleNotYours", () => ({})],
  [/^must list 1 to 3 roles$/, "rolesCount", () => ({})],
  [/^is listed twice$/, "listedTwice", () => ({})],
  [/^must be lower-case parts separated by ':'/, "permissionKey", () => ({})],
  [/^must list at most (\d+) permissions$/, "permissionsMax", (m) => ({ max: m[1] })],
  [/^must be from 1 to (\d+) hours$/, "validHours", (m) => ({ max: m[1] })],
  [/^must be an RFC 3339 time/, "time", () => ({})],
  [/^must not be before from$/, "toBeforeFrom", () => ({})],
  [/^is not a valid (role )?id$/, "invalidId", () => ({})],
];

// Words for a field's message that depend on which field it is.
const perField: Record<string, Record<string, string>> = {
  currentPassword: { "is incorrect": "account.currentPasswordWrong" },
};

// renameFields answers err with its fields named as a form names them: the API names
// nested and listed fields ("newUser.loginAccount", "roleIds[1]") where a form has one
// field ("loginAccount", "roles"). Two fields renamed to one keep both messages.
export function renameFields(err: ApiError, rename: (field: string) => string): ApiError {
  const fields: Record<string, string> = {};
  for (const [name, message] of Object.entries(err.fields)) {
    const to = rename(name);
    fields[to] = fields[to] && fields[to] !== message ? `${fields[to]}\n${message}` : message;
  }
  return { ...err, fields };
}

export function fieldWords(message: string, field = ""): string {
  if (message.includes("\n")) {
    return [...new Set(message.split("\n").map((m) => fieldWords(m, field)))].join(" ");
  }
  const special = perField[field]?.[message];
  if (special) return t(special);
  for (const [re, key, params] of fieldRules) {
    const m = message.match(re);
    if (m) return t(`errors.field.${key}`, params(m));
  }
  return t("errors.field.other", { message });
}

// codeWords is the sentence for an error as a whole.
export function codeWords(err: ApiError): string {
  switch (err.code) {
    case "network":
      return t("errors.network");
    case "throttled":
      return err.retryAfter ? t("errors.retryAfter", { wait: formatWait(err.retryAfter) }) : t("errors.throttled");
    case "rate_limited":
      return err.retryAfter ? t("errors.retryAfter", { wait: formatWait(err.retryAfter) }) : t("errors.code.rate_limited");
  }
  const key = `errors.code.${err.code}`;
  const words = t(key);
  if (words !== key) return words;
  return t("errors.unknown", { code: err.code });
}

export interface Shown {
  form?: string; // for the form's alert
  requestId?: string;
  fields: Record<string, string>; // for the form's own fields
}

export interface Overrides {
  // Per error code: the form field it belongs beside and/or the words for it here.
  [code: string]: { field?: string; words?: string };
}

// present splits an error between the fields a form shows and its alert. Fields the
// form does not show (body, token, session...) go to the alert, so nothing is hidden.
export function present(err: ApiError, formFields: readonly string[], overrides: Overrides = {}): Shown {
  const fields: Record<string, string> = {};
  const alerts: string[] = [];
  const o = overrides[err.code] ?? {};
  if (err.code === "invalid_request" && Object.keys(err.fields).length > 0 && !o.words) {
    for (const [name, message] of Object.entries(err.fields)) {
      const words = fieldWords(message, name);
      if (formFields.includes(name)) fields[name] = words;
      else alerts.push(words);
    }
    if (alerts.length === 0) alerts.push(codeWords(err));
  } else {
    const words = o.words ?? codeWords(err);
    const named = o.field ?? Object.keys(err.fields).find((f) => formFields.includes(f));
    if (named && formFields.includes(named)) fields[named] = words;
    else alerts.push(words);
  }
  const requestId = err.code === "internal" || err.code.startsWith("http_") ? err.requestId : undefined;
  return { form: alerts.join(" "), fields, requestId };
}

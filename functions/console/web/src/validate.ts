// SPEC.md section 2's rules, checked as the person types so most mistakes are named
// before a request is sent; the API checks them all again (and the common-password
// list, which only it has) and its answers are shown the same way.
import { t } from "./i18n";

const symbols = "+=,.@\\-_";
const usernameRe = new RegExp(`^[\\p{L}\\p{N}\\p{Mn}\\p{Mc}${symbols}]+$`, "u");
const loginRe = new RegExp(`^[A-Za-z0-9${symbols}]+$`);
// Invisible and text-direction characters the API refuses in names.
const invisibleRe = /[\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF]/u;

const len = (v: string) => [...v].length;

export type Check = (v: string, all: Record<string, string>) => string | undefined;

export const required: Check = (v) => (v.trim() === "" ? t("errors.field.required") : undefined);

export const username: Check = (raw) => {
  const v = raw.trim();
  if (v === "") return t("errors.field.required");
  if (invisibleRe.test(v)) return t("errors.field.invisible");
  if (len(v) < 3 || len(v) > 64) return t("errors.field.length", { min: 3, max: 64 });
  if (!usernameRe.test(v.normalize("NFC"))) return t("errors.field.usernameChars");
  return undefined;
};

export const loginAccount: Check = (v) => {
  if (v === "") return t("errors.field.required");
  if (len(v) < 3 || len(v) > 64) return t("errors.field.length", { min: 3, max: 64 });
  if (!loginRe.test(v)) return t("errors.field.loginChars");
  return undefined;
};

// password checks a new password against the login account in the form's field named
// by loginField (the sign-in page's challenge passes it in from the first step).
export function password(loginField = "loginAccount", login?: () => string): Check {
  return (v, all) => {
    if (v === "") return t("errors.field.required");
    if (len(v) < 12 || len(v) > 128) return t("errors.field.length", { min: 12, max: 128 });
    if (/^\s|\s$/u.test(v)) return t("errors.field.passwordSpace");
    const account = login ? login() : (all[loginField] ?? "");
    if (account && v.toLowerCase().includes(account.toLowerCase())) return t("errors.field.passwordContainsLogin");
    return undefined;
  };
}

export function sameAs(field: string): Check {
  return (v, all) => {
    if (v === "") return t("errors.field.required");
    return v !== all[field] ? t("errors.field.confirmMismatch") : undefined;
  };
}

export const email: Check = (raw) => {
  const v = raw.trim();
  if (v === "") return t("errors.field.required");
  if (v.length > 254) return t("errors.field.maxLength", { max: 254 });
  if (!/^[^\s@]+@[^\s@]+\.[^\s@.]*[^\s@.\d][^\s@.]*$/.test(v)) return t("errors.field.email");
  return undefined;
};

export function digits(n: number, optional = false): Check {
  return (raw) => {
    const v = raw.trim();
    if (v === "") return optional ? undefined : t("errors.field.required");
    return new RegExp(`^\\d{${n}}$`).test(v) ? undefined : t("errors.field.digits", { n });
  };
}

// optional makes a check pass on an empty value.
export function optional(check: Check): Check {
  return (v, all) => (v.trim() === "" ? undefined : check(v, all));
}

export const mobile: Check = (raw) => {
  const v = raw.trim();
  if (v === "") return undefined;
  return /^\+[1-9][0-9]{7,14}$/.test(v) ? undefined : t("errors.field.mobile");
};

// name is a team's or a role's: 1 to 64 characters once trimmed.
export const name: Check = (raw) => {
  const v = raw.trim();
  if (v === "") return t("errors.field.required");
  if (len(v) > 64) return t("errors.field.length", { min: 1, max: 64 });
  if (/[\u0000-\u001F\u007F-\u009F]/u.test(v)) return t("errors.field.control");
  if (invisibleRe.test(v)) return t("errors.field.invisible");
  return undefined;
};

export const description: Check = (raw) => (len(raw.trim()) > 500 ? t("errors.field.maxLength", { max: 500 }) : undefined);

// roles is a membership's roles, their ids joined by ",": 1 to 3.
export const roles: Check = (v) => {
  const n = v ? v.split(",").length : 0;
  return n < 1 || n > 3 ? t("errors.field.rolesCount") : undefined;
};

const permissionKeyRe = /^[a-z][a-z0-9_-]*(:[a-z][a-z0-9_-]*)+$/;

// permissionKeys splits free permission keys typed one a line (or between commas or spaces).
export function permissionKeys(v: string): string[] {
  return v.split(/[\s,]+/).filter(Boolean);
}

export const freeKeys: Check = (v) => {
  const keys = permissionKeys(v);
  const bad = keys.filter((k) => !permissionKeyRe.test(k) || k.length > 100);
  if (bad.length) return t("errors.field.permissionKeyNamed", { keys: bad.join(", ") });
  if (keys.length > 50) return t("errors.field.permissionsMax", { max: 50 });
  return undefined;
};

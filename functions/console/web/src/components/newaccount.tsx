// A new account as an admin makes it ("New user") or a manager makes it into a team
// (members:create): the same fields, checks and request body (SPEC's NewMember), with a
// temporary password generated or typed, and the choice of emailing the person.
import type { ComponentChildren } from "preact";
import type { Schemas } from "../api/client";
import type { Form } from "../form";
import { language, t, useLanguage } from "../i18n";
import * as v from "../validate";
import { CheckField, ChoiceField, LocaleField } from "./fields";
import { Field } from "./ui";

export type NewAccountField = "username" | "loginAccount" | "email" | "mobile" | "locale" | "passwordMode" | "password" | "notify";

// newAccount is the form's start: the console's language, a generated password.
export const newAccount = (): Record<NewAccountField, string> => ({
  username: "",
  loginAccount: "",
  email: "",
  mobile: "",
  locale: language(),
  passwordMode: "generate",
  password: "",
  notify: "",
});

// newAccountChecks: an email is needed only to notify; a password only when typed. (A new
// object each render, as useForm wants, so that a new language rewords the errors.)
export const newAccountChecks = (): Partial<Record<NewAccountField, v.Check>> => ({
  username: v.username,
  loginAccount: v.loginAccount,
  email: (val, all) => (all.notify === "true" ? v.email(val, all) : v.optional(v.email)(val, all)),
  mobile: v.mobile,
  password: (val, all) => (all.passwordMode === "type" ? v.password("loginAccount")(val, all) : undefined),
});

export function newAccountBody(f: Record<NewAccountField, string>): Schemas["NewMember"] {
  return {
    username: f.username.trim(),
    loginAccount: f.loginAccount,
    ...(f.email.trim() ? { email: f.email.trim() } : {}),
    ...(f.mobile.trim() ? { mobile: f.mobile.trim() } : {}),
    password: f.passwordMode === "type" ? { value: f.password } : { generate: true },
    notify: f.notify === "true",
    locale: f.locale === "zh-CN" ? "zh-CN" : "en",
  };
}

// newAccountField names an API error's field as the form does: "newUser.email" (a member
// made into a team) is "email", "password.value" is "password".
export const newAccountField = (f: string) => f.replace(/^newUser\./, "").replace(/^password\..*$/, "password");

// NewAccountFields are the account's fields; children come after the login account.
export function NewAccountFields<K extends string>({ form, passwordLabel, children }: { form: Form<K | NewAccountField>; passwordLabel: string; children?: ComponentChildren }) {
  useLanguage();
  return (
    <>
      <Field form={form} name="username" label={t("users.username")} hint={t("common.usernameHint")} autoComplete="off" />
      <Field form={form} name="loginAccount" label={t("users.loginAccount")} hint={t("common.loginAccountHint")} autoComplete="off" />
      {children}
      <Field form={form} name="email" label={t("users.email")} type="email" inputMode="email" autoComplete="off" optional={form.values.notify !== "true"} />
      <Field form={form} name="mobile" label={t("users.mobile")} hint={t("users.mobileHint")} autoComplete="off" optional />
      <LocaleField form={form} />
      <ChoiceField
        form={form}
        name="passwordMode"
        legend={t("users.passwordLegend")}
        options={[
          { value: "generate", label: t("users.passwordGenerate") },
          { value: "type", label: t("users.passwordType") },
        ]}
      />
      {form.values.passwordMode === "type" && (
        <Field form={form} name="password" label={passwordLabel} type="password" autoComplete="new-password" hint={t("users.passwordHint")} />
      )}
      <CheckField form={form} name="notify" label={t("users.notify")} hint={t("users.notifyHint")} />
    </>
  );
}

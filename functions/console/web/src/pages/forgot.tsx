// Forgot password: the login account, then the emailed code and a new password. The
// API answers the same whether or not the account exists, and so does this page.
import { useLocation } from "preact-iso";
import { useState } from "preact/hooks";
import { call, client } from "../api/client";
import { useForm } from "../form";
import { t, useLanguage } from "../i18n";
import { end } from "../session";
import { Field, FormAlert, Page, Submit, onSubmit, useCooldown } from "../components/ui";
import * as v from "../validate";

export function ForgotPassword() {
  useLanguage();
  const { route } = useLocation();
  const [sent, setSent] = useState(false);
  const [cooldown, startCooldown] = useCooldown();
  const ask = useForm("forgot", { loginAccount: "" }, { loginAccount: v.loginAccount });
  const reset = useForm(
    "reset",
    { code: "", newPassword: "", confirmPassword: "" },
    {
      code: v.digits(6),
      newPassword: v.password("loginAccount", () => ask.values.loginAccount),
      confirmPassword: v.sameAs("newPassword"),
    },
  );

  async function send(): Promise<boolean> {
    const r = await call(() => client.POST("/v1/auth/password/forgot", { body: { loginAccount: ask.values.loginAccount } }));
    if (!r.ok) {
      if (r.error.retryAfter) startCooldown(r.error.retryAfter);
      (sent ? reset : ask).fail(r.error);
      return false;
    }
    startCooldown(60);
    return true;
  }

  return (
    <Page title={t("forgot.title")}>
      {!sent ? (
        <form
          noValidate
          onSubmit={onSubmit(() =>
            ask.submit(async () => {
              if (await send()) setSent(true);
            }),
          )}
        >
          <p class="lead">{t("forgot.intro")}</p>
          <FormAlert form={ask} />
          <Field form={ask} name="loginAccount" label={t("forgot.loginAccount")} autoComplete="username" autoFocus />
          <div class="actions">
            <Submit busy={ask.busy}>{t("forgot.send")}</Submit>
          </div>
        </form>
      ) : (
        <form
          noValidate
          onSubmit={onSubmit(() =>
            reset.submit(async () => {
              const r = await call(() =>
                client.POST("/v1/auth/password/reset", {
                  body: { loginAccount: ask.values.loginAccount, code: reset.values.code.trim(), newPassword: reset.values.newPassword },
                }),
              );
              if (!r.ok) return reset.fail(r.error);
              end("passwordReset");
              route("/login");
            }),
          )}
        >
          <div role="status" class="alert info">
            <p>{t("forgot.sentIntro")}</p>
          </div>
          <FormAlert form={reset} />
          <Field form={ask} name="loginAccount" label={t("forgot.loginAccount")} autoComplete="username" readOnly />
          <Field form={reset} name="code" label={t("forgot.code")} inputMode="numeric" autoComplete="one-time-code" maxLength={6} autoFocus />
          <Field form={reset} name="newPassword" label={t("forgot.newPassword")} type="password" autoComplete="new-password" hint={t("common.passwordHint")} />
          <Field form={reset} name="confirmPassword" label={t("common.confirmPassword")} type="password" autoComplete="new-password" />
          <div class="actions">
            <Submit busy={reset.busy}>{t("forgot.submit")}</Submit>
            <button type="button" class="secondary" disabled={cooldown > 0} onClick={() => void send()}>
              {cooldown > 0 ? t("common.resendIn", { count: cooldown }) : t("forgot.resend")}
            </button>
          </div>
        </form>
      )}
      <p>
        <a href="/login">{t("forgot.back")}</a>
      </p>
    </Page>
  );
}

// My account: username, the language of my emails, my email address (changed with a
// code sent to the new one), my password, my authenticator, my sign-in history.
import type { ComponentType } from "preact";
import { useLocation } from "preact-iso";
import { useEffect, useState } from "preact/hooks";
import { authed, call, client, isChallenge, type Schemas, type Tokens } from "../api/client";
import { codeWords } from "../api/errors";
import { useForm } from "../form";
import { isLanguage, t, useLanguage, type Language } from "../i18n";
import { end, loadMe, signedIn, useSession } from "../session";
import { Field, FormAlert, LanguageSelect, Page, Status, Submit, onSubmit, useCooldown } from "../components/ui";
import { LoginHistory } from "../components/history";
import * as v from "../validate";

export function Account() {
  useLanguage();
  const { me } = useSession();
  if (!me) return null;
  return (
    <Page title={t("account.title")} wide>
      <Profile />
      <EmailLanguage />
      <EmailChange />
      <PasswordChange />
      <Authenticator />
      <History />
    </Page>
  );
}

function Profile() {
  const { me } = useSession();
  const user = me!.user;
  const [saved, setSaved] = useState("");
  const form = useForm("profile", { username: user.username }, { username: v.username });
  return (
    <section>
      <h2 id="profile-title">{t("account.profileTitle")}</h2>
      <dl class="facts">
        <dt>{t("account.loginAccount")}</dt>
        <dd>{user.loginAccount}</dd>
        <dt>{t("account.accountType")}</dt>
        <dd>{t(`home.accountType.${user.accountType}`)}</dd>
      </dl>
      <form
        noValidate
        onSubmit={onSubmit(() =>
          form.submit(async () => {
            setSaved("");
            const r = await authed(() => client.PATCH("/v1/me", { body: { username: form.values.username.trim() } }));
            if (!r.ok) return form.fail(r.error);
            await loadMe();
            setSaved(t("account.usernameSaved"));
          }),
        )}
      >
        <FormAlert form={form} />
        <Field form={form} name="username" label={t("account.username")} autoComplete="nickname" hint={t("common.usernameHint")} />
        <Status message={saved} />
        <div class="actions">
          <Submit busy={form.busy} secondary>
            {t("account.saveUsername")}
          </Submit>
        </div>
      </form>
    </section>
  );
}

function EmailLanguage() {
  const { me } = useSession();
  const current = me!.user.locale;
  const [choice, setChoice] = useState<Language>(isLanguage(current) ? current : "en");
  const [state, setState] = useState({ alert: "", busy: false, saved: "" });
  return (
    <section>
      <h2 id="language-title">{t("account.languageTitle")}</h2>
      <p>{t("account.languageIntro")}</p>
      <form
        onSubmit={onSubmit(async () => {
          setState({ alert: "", busy: true, saved: "" });
          // locale is part of PATCH /v1/me in the shared contract.
          const r = await authed(() => client.PATCH("/v1/me", { body: { locale: choice } as never }));
          if (!r.ok) return setState({ alert: codeWords(r.error), busy: false, saved: "" });
          await loadMe();
          setState({ alert: "", busy: false, saved: t("account.languageSaved") });
        })}
      >
        <FormAlert form={state} />
        <div class="field">
          <label for="account-locale">{t("account.language")}</label>
          <LanguageSelect id="account-locale" value={choice} onChange={setChoice} />
        </div>
        <Status message={state.saved} />
        <div class="actions">
          <Submit busy={state.busy} secondary>
            {t("account.saveLanguage")}
          </Submit>
        </div>
      </form>
    </section>
  );
}

function EmailChange() {
  const { me } = useSession();
  const user = me!.user;
  const [sentTo, setSentTo] = useState("");
  const [done, setDone] = useState("");
  const [cooldown, startCooldown] = useCooldown();
  const form = useForm("email", { email: "", code: "" }, { email: v.email, ...(sentTo ? { code: v.digits(6) } : {}) });

  async function send() {
    const email = form.values.email.trim();
    const r = await authed(() => client.POST("/v1/me/email", { body: { email } }));
    if (!r.ok) {
      if (r.error.retryAfter) startCooldown(r.error.retryAfter);
      return form.fail(r.error, { rate_limited: { field: "email" }, email_taken: { field: "email" } });
    }
    setSentTo(email);
    startCooldown(60);
    setTimeout(() => document.getElementById("email-code")?.focus(), 0);
  }

  return (
    <section>
      <h2 id="email-title">{t("account.emailTitle")}</h2>
      <dl class="facts">
        <dt>{t("account.currentEmail")}</dt>
        <dd>
          {user.email ? (
            <>
              {user.email} <span class="badge">{user.emailVerified ? t("account.verified") : t("account.unverified")}</span>
            </>
          ) : (
            t("account.noEmail")
          )}
        </dd>
      </dl>
      <form
        noValidate
        onSubmit={onSubmit(() =>
          form.submit(async () => {
            setDone("");
            if (!sentTo || sentTo !== form.values.email.trim()) return send();
            const r = await authed(() => client.POST("/v1/me/email/verify", { body: { email: sentTo, code: form.values.code.trim() } }));
            if (!r.ok) return form.fail(r.error, { email_taken: { field: "email" } });
            await loadMe();
            setSentTo("");
            form.reset(["email", "code"]);
            setDone(t("account.emailChanged", { email: r.data.email ?? "" }));
          }),
        )}
      >
        <FormAlert form={form} />
        <Status message={done} />
        <Field form={form} name="email" label={t("account.newEmail")} type="email" autoComplete="email" inputMode="email" />
        {sentTo && (
          <>
            <Status message={t("common.codeSent", { email: sentTo })} tone="info" />
            <Field form={form} name="code" label={t("account.emailCode")} inputMode="numeric" autoComplete="one-time-code" maxLength={6} />
          </>
        )}
        <div class="actions">
          {sentTo && sentTo === form.values.email.trim() ? (
            <>
              <Submit busy={form.busy}>{t("account.confirmEmail")}</Submit>
              <button type="button" class="secondary" disabled={cooldown > 0} onClick={() => void send()}>
                {cooldown > 0 ? t("common.resendIn", { count: cooldown }) : t("common.sendCode")}
              </button>
            </>
          ) : (
            <Submit busy={form.busy || cooldown > 0} secondary>
              {cooldown > 0 ? t("common.resendIn", { count: cooldown }) : t("account.sendEmailCode")}
            </Submit>
          )}
        </div>
      </form>
    </section>
  );
}

function PasswordChange() {
  const { me } = useSession();
  const { route } = useLocation();
  const login = me!.user.loginAccount;
  const [done, setDone] = useState("");
  const [challenge, setChallenge] = useState<string | null>(null);
  const form = useForm(
    "password",
    { currentPassword: "", newPassword: "", confirmPassword: "" },
    { currentPassword: v.required, newPassword: v.password("loginAccount", () => login), confirmPassword: v.sameAs("newPassword") },
  );
  const mfa = useForm("password-mfa", { code: "" }, { code: v.digits(6) });

  async function tokens(data: unknown) {
    const r = await signedIn(data as Tokens);
    if (!r.ok) return end("passwordChanged");
    setDone(t("account.passwordChanged"));
  }

  return (
    <section>
      <h2 id="password-title">{t("account.passwordTitle")}</h2>
      <Status message={done} />
      {challenge ? (
        <form
          noValidate
          onSubmit={onSubmit(() =>
            mfa.submit(async () => {
              const r = await call(() =>
                client.POST("/v1/auth/challenge", {
                  body: { loginAccount: login, session: challenge, challenge: "SOFTWARE_TOKEN_MFA", code: mfa.values.code.trim() },
                }),
              );
              if (!r.ok) {
                if (r.error.code === "unauthenticated") {
                  end("passwordChanged");
                  return route("/login");
                }
                return mfa.fail(r.error);
              }
              if (isChallenge(r.data)) return;
              setChallenge(null);
              mfa.reset(["code"]);
              await tokens(r.data);
            }),
          )}
        >
          <Status message={t("account.passwordMfa")} tone="info" />
          <FormAlert form={mfa} />
          <Field form={mfa} name="code" label={t("account.passwordMfaCode")} inputMode="numeric" autoComplete="one-time-code" maxLength={6} autoFocus />
          <div class="actions">
            <Submit busy={mfa.busy}>{t("account.mfaContinue")}</Submit>
          </div>
        </form>
      ) : (
        <form
          noValidate
          onSubmit={onSubmit(() =>
            form.submit(async () => {
              setDone("");
              const r = await authed(() =>
                client.POST("/v1/me/password", {
                  body: { currentPassword: form.values.currentPassword, newPassword: form.values.newPassword },
                }),
              );
              if (!r.ok) {
                return form.fail(r.error, {
                  invalid_credentials: { field: "currentPassword", words: t("account.currentPasswordWrong") },
                  rate_limited: { field: "currentPassword" },
                });
              }
              form.reset(["currentPassword", "newPassword", "confirmPassword"]);
              if (r.response.status === 204 || !r.data) {
                // Changed, but no new session could be made: sign in with the new password.
                end("passwordChanged");
                return route("/login");
              }
              if (isChallenge(r.data)) return setChallenge(r.data.session);
              await tokens(r.data);
            }),
          )}
        >
          <FormAlert form={form} />
          <Field form={form} name="currentPassword" label={t("account.currentPassword")} type="password" autoComplete="current-password" />
          <Field form={form} name="newPassword" label={t("account.newPassword")} type="password" autoComplete="new-password" hint={t("common.passwordHint")} />
          <Field form={form} name="confirmPassword" label={t("common.confirmPassword")} type="password" autoComplete="new-password" />
          <div class="actions">
            <Submit busy={form.busy} secondary>
              {t("account.changePassword")}
            </Submit>
          </div>
        </form>
      )}
    </section>
  );
}

function Authenticator() {
  const { me } = useSession();
  const on = me!.user.mfaEnabled;
  const [secret, setSecret] = useState<Schemas["TotpSecret"] | null>(null);
  const [Qr, setQr] = useState<ComponentType<{ text: string; label: string }> | null>(null);
  const [done, setDone] = useState("");
  const [start, setStart] = useState({ alert: "", busy: false });
  const bind = useForm("mfa-bind", { code: "" }, { code: v.digits(6) });
  const unbind = useForm("mfa-unbind", { code: "" }, { code: v.digits(6) });

  useEffect(() => {
    if (secret && !Qr) void import("../components/qr").then((m) => setQr(() => m.Qr));
  }, [secret]);

  return (
    <section>
      <h2 id="mfa-title">{t("account.mfaTitle")}</h2>
      <Status message={done} />
      <p>{on ? t("account.mfaOn") : t("account.mfaOff")}</p>
      {on ? (
        <form
          noValidate
          onSubmit={onSubmit(() =>
            unbind.submit(async () => {
              setDone("");
              const r = await authed(() => client.DELETE("/v1/me/mfa", { body: { code: unbind.values.code.trim() } }));
              if (!r.ok) return unbind.fail(r.error, { rate_limited: { field: "code" } });
              unbind.reset(["code"]);
              await loadMe();
              setDone(t("account.mfaDisabled"));
            }),
          )}
        >
          <p>{t("account.mfaUnbindIntro")}</p>
          <FormAlert form={unbind} />
          <Field form={unbind} name="code" label={t("account.mfaCode")} inputMode="numeric" autoComplete="one-time-code" maxLength={6} />
          <div class="actions">
            <button type="submit" class="danger" disabled={unbind.busy}>
              {t("account.mfaUnbind")}
            </button>
          </div>
        </form>
      ) : !secret ? (
        <form
          onSubmit={onSubmit(async () => {
            setDone("");
            setStart({ alert: "", busy: true });
            const r = await authed(() => client.POST("/v1/me/mfa/totp", { body: {} }));
            if (!r.ok) {
              if (r.error.code === "mfa_already_enabled") await loadMe();
              return setStart({ alert: codeWords(r.error), busy: false });
            }
            setStart({ alert: "", busy: false });
            setSecret(r.data);
          })}
        >
          <FormAlert form={start} />
          <div class="actions">
            <Submit busy={start.busy} secondary>
              {t("account.mfaStart")}
            </Submit>
          </div>
        </form>
      ) : (
        <form
          noValidate
          onSubmit={onSubmit(() =>
            bind.submit(async () => {
              const r = await authed(() => client.POST("/v1/me/mfa/totp/verify", { body: { code: bind.values.code.trim() } }));
              if (!r.ok) return bind.fail(r.error, { rate_limited: { field: "code" } });
              setSecret(null);
              bind.reset(["code"]);
              await loadMe();
              setDone(t("account.mfaEnabled"));
            }),
          )}
        >
          <p>{t("account.mfaScan")}</p>
          {Qr ? <Qr text={secret.otpauthUri} label={t("account.qrAlt")} /> : <p class="qr-loading">{t("account.qrLoading")}</p>}
          <p>
            <strong>{t("account.secret")}</strong>
          </p>
          <p class="secret" data-testid="totp-secret" data-secret={secret.secret}>
            {secret.secret.replace(/(.{4})(?=.)/g, "$1 ")}
          </p>
          <FormAlert form={bind} />
          <Field form={bind} name="code" label={t("account.mfaCode")} inputMode="numeric" autoComplete="one-time-code" maxLength={6} autoFocus />
          <div class="actions">
            <Submit busy={bind.busy}>{t("account.mfaVerify")}</Submit>
          </div>
        </form>
      )}
    </section>
  );
}

function History() {
  return (
    <LoginHistory
      titleId="history-title"
      title={t("account.historyTitle")}
      load={(cursor) => authed(() => client.GET("/v1/me/login-events", { params: { query: { limit: 10, ...(cursor ? { cursor } : {}) } } }))}
    />
  );
}

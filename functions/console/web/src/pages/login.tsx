// Sign in: login account and password, then whatever challenge Cognito asks for (a
// first sign-in's new password, an authenticator code), then the page the person came
// for: ?team=<id> opens that team, ?next=<path> returns there, else home.
import { useLocation } from "preact-iso";
import { useEffect, useState } from "preact/hooks";
import { call, client, isChallenge, type Tokens } from "../api/client";
import type { ApiError } from "../api/errors";
import { useForm } from "../form";
import { t, useLanguage } from "../i18n";
import { clearNotice, signedIn, useSession } from "../session";
import { Field, FormAlert, Page, Status, Submit, onSubmit, safeNext } from "../components/ui";
import * as v from "../validate";

type Step = { kind: "password" } | { kind: "NEW_PASSWORD_REQUIRED" | "SOFTWARE_TOKEN_MFA"; session: string };

export function Login() {
  useLanguage();
  const { query, route } = useLocation();
  const s = useSession();
  const team = query.team && /^[A-Za-z0-9_-]{1,64}$/.test(query.team) ? query.team : undefined;
  const next = safeNext(query.next);
  const target = team ? `/teams/${team}` : (next ?? "/");
  const [step, setStep] = useState<Step>({ kind: "password" });
  const [expiredStep, setExpiredStep] = useState(false);

  const first = useForm("login", { loginAccount: "", password: "" }, { loginAccount: v.required, password: v.required });
  const login = () => first.values.loginAccount.trim();
  const newPw = useForm(
    "newpw",
    { newPassword: "", confirmPassword: "" },
    { newPassword: v.password("loginAccount", login), confirmPassword: v.sameAs("newPassword") },
  );
  const mfa = useForm("mfa", { code: "" }, { code: v.digits(6) });

  // Someone signed in (already, or just now) goes where the link leads.
  useEffect(() => {
    if (s.status === "signedIn") route(target, true);
  }, [s.status]);

  // finish takes a sign-in step's answer: tokens end it, a challenge is the next step.
  async function finish(data: unknown, fail: (e: ApiError) => void) {
    if (isChallenge(data)) {
      if (data.challenge === "NEW_PASSWORD_REQUIRED" || data.challenge === "SOFTWARE_TOKEN_MFA") {
        setStep({ kind: data.challenge, session: data.session });
      }
      return;
    }
    // Signed in, the effect above takes the person on.
    const me = await signedIn(data as Tokens);
    if (!me.ok) fail(me.error);
  }

  function restart(expired: boolean) {
    setStep({ kind: "password" });
    setExpiredStep(expired);
    first.set("password", "");
    newPw.reset(["newPassword", "confirmPassword"]);
    mfa.reset(["code"]);
  }

  async function answer(challenge: "NEW_PASSWORD_REQUIRED" | "SOFTWARE_TOKEN_MFA", session: string, form: typeof newPw | typeof mfa, extra: Record<string, string>) {
    const r = await call(() =>
      client.POST("/v1/auth/challenge", { body: { loginAccount: login(), session, challenge, ...extra } }),
    );
    if (!r.ok) {
      if (r.error.code === "unauthenticated") return restart(true);
      return (form.fail as (e: ApiError) => void)(r.error);
    }
    await finish(r.data, (e) => (form.fail as (e: ApiError) => void)(e));
  }

  const intro = team ? t("login.teamIntro") : next?.startsWith("/invitations/") ? t("login.invitationIntro") : "";
  const notice = s.notice ? t(`login.notice.${s.notice}`) : "";

  return (
    <Page title={t("login.title")}>
      {intro && <p class="lead">{intro}</p>}
      {s.notice === "frozen" ? (
        <div role="alert" class="alert error">
          <p>{notice}</p>
        </div>
      ) : (
        <Status message={notice} tone="info" />
      )}

      {step.kind === "password" && (
        <form
          noValidate
          onSubmit={onSubmit(() =>
            first.submit(async () => {
              clearNotice();
              setExpiredStep(false);
              const r = await call(() =>
                client.POST("/v1/auth/login", { body: { loginAccount: login(), password: first.values.password } }),
              );
              if (!r.ok) return first.fail(r.error);
              await finish(r.data, first.fail);
            }),
          )}
        >
          {expiredStep && <Status message={t("login.sessionExpired")} tone="warn" />}
          <FormAlert form={first} />
          <Field form={first} name="loginAccount" label={t("login.loginAccount")} autoComplete="username" autoFocus />
          <Field form={first} name="password" label={t("login.password")} type="password" autoComplete="current-password" />
          <div class="actions">
            <Submit busy={first.busy}>{t("login.submit")}</Submit>
          </div>
          <p>
            <a href="/forgot-password">{t("login.forgot")}</a>
          </p>
          <p>
            {t("login.noAccount")} <a href={next ? `/register?next=${encodeURIComponent(next)}` : "/register"}>{t("login.register")}</a>
          </p>
        </form>
      )}

      {step.kind === "NEW_PASSWORD_REQUIRED" && (
        <form
          noValidate
          onSubmit={onSubmit(() =>
            newPw.submit(() => answer("NEW_PASSWORD_REQUIRED", step.session, newPw, { newPassword: newPw.values.newPassword })),
          )}
        >
          <h2 id="newpw-title">{t("login.newPasswordTitle")}</h2>
          <p>{t("login.newPasswordIntro")}</p>
          <FormAlert form={newPw} />
          <input type="hidden" name="username" autoComplete="username" value={login()} />
          <Field form={newPw} name="newPassword" label={t("login.newPassword")} type="password" autoComplete="new-password" hint={t("common.passwordHint")} autoFocus />
          <Field form={newPw} name="confirmPassword" label={t("common.confirmPassword")} type="password" autoComplete="new-password" />
          <div class="actions">
            <Submit busy={newPw.busy}>{t("login.newPasswordSubmit")}</Submit>
            <button type="button" class="secondary" onClick={() => restart(false)}>
              {t("login.startOver")}
            </button>
          </div>
        </form>
      )}

      {step.kind === "SOFTWARE_TOKEN_MFA" && (
        <form
          noValidate
          onSubmit={onSubmit(() => mfa.submit(() => answer("SOFTWARE_TOKEN_MFA", step.session, mfa, { code: mfa.values.code.trim() })))}
        >
          <h2 id="mfa-title">{t("login.mfaTitle")}</h2>
          <p>{t("login.mfaIntro")}</p>
          <FormAlert form={mfa} />
          <Field form={mfa} name="code" label={t("login.mfaCode")} inputMode="numeric" autoComplete="one-time-code" maxLength={6} autoFocus />
          <div class="actions">
            <Submit busy={mfa.busy}>{t("login.mfaSubmit")}</Submit>
            <button type="button" class="secondary" onClick={() => restart(false)}>
              {t("login.startOver")}
            </button>
          </div>
        </form>
      )}
    </Page>
  );
}

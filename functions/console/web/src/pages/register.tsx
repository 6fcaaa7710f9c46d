// Register: a member account of one's own. The email is proven by a 6-digit code
// ("Send code", again after 60 s), or, through an invitation link sent to that
// address, by the link itself. An invitation code or link joins its team at once.
// Once the account exists the console signs in with it and opens the team, or home.
import { useLocation } from "preact-iso";
import { useEffect, useRef, useState } from "preact/hooks";
import { call, client, isChallenge, type Schemas, type Tokens } from "../api/client";
import { codeWords, type ApiError, type Overrides } from "../api/errors";
import { useForm } from "../form";
import { language, t, useLanguage } from "../i18n";
import { end, signedIn, useSession } from "../session";
import { Field, FormAlert, Loading, Page, Status, Submit, onSubmit, safeNext, useCooldown } from "../components/ui";
import * as v from "../validate";

type Invite = { token: string; info: Schemas["PublicInvitation"] } | { token: string; gone: ApiError } | null;

export function Register() {
  useLanguage();
  const { query, route } = useLocation();
  const s = useSession();
  const token = query.invitation && /^[A-Za-z0-9_-]{16,256}$/.test(query.invitation) ? query.invitation : "";
  const next = safeNext(query.next);
  const [invite, setInvite] = useState<Invite | "loading">(token ? "loading" : null);

  useEffect(() => {
    if (!token) return;
    void call(() => client.GET("/v1/invitations/{token}", { params: { path: { token } } })).then((r) =>
      setInvite(r.ok ? { token, info: r.data } : { token, gone: r.error }),
    );
  }, [token]);

  // Someone who arrives signed in has an account already; one who registers here is
  // signed in by the form, which takes it on itself.
  const arrived = useRef(s.status);
  useEffect(() => {
    if (s.status === "signedIn" && arrived.current !== "signedOut") route(token ? `/invitations/${token}` : "/", true);
    if (s.status !== "loading") arrived.current = arrived.current === "loading" ? s.status : arrived.current;
  }, [s.status]);

  if (invite === "loading") return <Loading />;
  return <RegisterForm invite={invite} next={next} initialCode={query.code && /^\d{8}$/.test(query.code) ? query.code : ""} />;
}

function RegisterForm({ invite, next, initialCode }: { invite: Invite; next?: string; initialCode: string }) {
  const { route } = useLocation();
  const info = invite && "info" in invite ? invite.info : undefined;
  const bound = !!info?.email; // the link proves the address: no code needed
  const viaLink = !!info;
  const [cooldown, startCooldown] = useCooldown();
  const [sentTo, setSentTo] = useState("");

  const form = useForm(
    "register",
    { username: "", loginAccount: "", password: "", confirmPassword: "", email: "", verificationCode: "", invitationCode: initialCode },
    {
      username: v.username,
      loginAccount: v.loginAccount,
      password: v.password("loginAccount"),
      confirmPassword: v.sameAs("password"),
      email: v.email,
      ...(bound ? {} : { verificationCode: v.digits(6) }),
      ...(viaLink ? {} : { invitationCode: v.digits(8, true) }),
    },
  );

  const overrides: Overrides = {
    forbidden: { field: "email", words: t("register.emailForbidden") },
    not_found: viaLink ? {} : { field: "invitationCode", words: t("join.codeNotFound") },
    ...(viaLink
      ? {}
      : {
          invitation_used: { field: "invitationCode" },
          invitation_expired: { field: "invitationCode" },
          invitation_revoked: { field: "invitationCode" },
        }),
  };

  async function sendCode() {
    const email = form.values.email.trim();
    form.touch("email");
    if (v.email(email, form.values)) {
      document.getElementById("register-email")?.focus();
      return;
    }
    const r = await call(() => client.POST("/v1/auth/verification-codes", { body: { email } }));
    if (!r.ok) {
      if (r.error.retryAfter) startCooldown(r.error.retryAfter);
      form.fail(r.error, { rate_limited: { field: "email" }, throttled: { field: "email" } });
      return;
    }
    form.setAlert("");
    setSentTo(email);
    startCooldown(60);
    document.getElementById("register-verificationCode")?.focus();
  }

  async function register() {
    const f = form.values;
    const body = {
      username: f.username.trim(),
      loginAccount: f.loginAccount,
      password: f.password,
      confirmPassword: f.confirmPassword,
      email: f.email.trim(),
      ...(bound ? {} : { verificationCode: f.verificationCode.trim() }),
      ...(info && invite ? { invitationToken: invite.token } : f.invitationCode.trim() ? { invitationCode: f.invitationCode.trim() } : {}),
      locale: language(), // the account's language for its emails
    };
    const r = await call(() => client.POST("/v1/auth/register", { body: body as never }));
    if (!r.ok) return form.fail(r.error, overrides);
    const joined = (r.data as Schemas["Registered"]).membership?.team.id;
    const target = joined ? `/teams/${joined}` : (next ?? "/");
    // The account is the person's: sign in with what was just typed.
    const login = await call(() => client.POST("/v1/auth/login", { body: { loginAccount: f.loginAccount, password: f.password } }));
    if (login.ok && !isChallenge(login.data)) {
      const me = await signedIn(login.data as Tokens);
      if (me.ok) return route(target);
    }
    end("registered");
    route(`/login?next=${encodeURIComponent(target)}`);
  }

  const gone = invite && "gone" in invite ? invite.gone : undefined;

  return (
    <Page title={t("register.title")}>
      <p class="lead">{info ? t("register.invitationIntro", { team: info.team.name }) : t("register.intro")}</p>
      {gone && (
        <div role="alert" class="alert error">
          <p>{t(`invitation.gone.${gone.code}`, { defaultValue: "" }) || (gone.code === "not_found" ? t("invitation.notFound") : codeWords(gone))}</p>
        </div>
      )}
      <form noValidate onSubmit={onSubmit(() => form.submit(register))}>
        <FormAlert form={form} />
        <Field form={form} name="username" label={t("register.username")} autoComplete="nickname" hint={t("common.usernameHint")} autoFocus />
        <Field form={form} name="loginAccount" label={t("register.loginAccount")} autoComplete="username" hint={t("common.loginAccountHint")} />
        <Field form={form} name="password" label={t("register.password")} type="password" autoComplete="new-password" hint={t("common.passwordHint")} />
        <Field form={form} name="confirmPassword" label={t("common.confirmPassword")} type="password" autoComplete="new-password" />
        {bound ? (
          <Field form={form} name="email" label={t("register.email")} type="email" autoComplete="email" inputMode="email" hint={t("register.boundEmailHint", { masked: info!.email })} />
        ) : (
          <>
            <div class="inline">
              <Field form={form} name="email" label={t("register.email")} type="email" autoComplete="email" inputMode="email" />
              <button type="button" class="secondary" onClick={sendCode} disabled={cooldown > 0} aria-disabled={cooldown > 0 ? "true" : undefined}>
                {cooldown > 0 ? t("common.resendIn", { count: cooldown }) : t("common.sendCode")}
              </button>
            </div>
            <Status message={sentTo ? t("common.codeSent", { email: sentTo }) : ""} />
            <Field form={form} name="verificationCode" label={t("register.verificationCode")} inputMode="numeric" autoComplete="one-time-code" maxLength={6} hint={t("common.codeHint")} />
          </>
        )}
        {!viaLink && (
          <Field form={form} name="invitationCode" label={t("register.invitationCode")} inputMode="numeric" maxLength={8} optional hint={t("register.invitationCodeHint")} />
        )}
        <div class="actions">
          <Submit busy={form.busy}>{t("register.submit")}</Submit>
        </div>
        <p>
          {t("register.haveAccount")} <a href={next ? `/login?next=${encodeURIComponent(next)}` : "/login"}>{t("register.signIn")}</a>
        </p>
      </form>
    </Page>
  );
}

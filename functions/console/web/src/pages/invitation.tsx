// An invitation link's page: what it offers and what became of it, in words. A member
// who is signed in accepts it; anyone else signs in (and comes back here) or registers
// from it. Accepting lands on the team.
import { useLocation } from "preact-iso";
import { useEffect, useState } from "preact/hooks";
import { authed, call, client, type Schemas } from "../api/client";
import { codeWords, type ApiError } from "../api/errors";
import { formatTime, roleNames, t, useLanguage } from "../i18n";
import { loadMe, useSession } from "../session";
import { FormAlert, Loading, Page, Submit, onSubmit } from "../components/ui";

const goneStatus: Record<string, string> = {
  invitation_used: "used",
  invitation_expired: "expired",
  invitation_revoked: "revoked",
};

export function Invitation({ token }: { token: string }) {
  useLanguage();
  const { route } = useLocation();
  const s = useSession();
  const [info, setInfo] = useState<Schemas["PublicInvitation"] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [accept, setAccept] = useState({ alert: "", busy: false });
  const [member, setMember] = useState(false);

  useEffect(() => {
    setInfo(null);
    setError(null);
    void call(() => client.GET("/v1/invitations/{token}", { params: { path: { token } } })).then((r) =>
      r.ok ? setInfo(r.data) : setError(r.error),
    );
  }, [token]);

  if (error) {
    const status = goneStatus[error.code];
    return (
      <Page title={t("invitation.title")}>
        {status && (
          <dl class="facts">
            <dt>{t("invitation.status")}</dt>
            <dd>{t(`invitation.statusWord.${status}`)}</dd>
          </dl>
        )}
        <div role="alert" class="alert error">
          <p>
            {status
              ? t(`invitation.gone.${error.code}`)
              : error.code === "not_found" || error.code === "invalid_request"
                ? t("invitation.notFound")
                : codeWords(error)}
          </p>
        </div>
        <p>
          <a href="/">{t("app.goHome")}</a>
        </p>
      </Page>
    );
  }
  if (!info) return <Loading />;

  const me = s.me;
  const here = `/invitations/${encodeURIComponent(token)}`;
  return (
    <Page title={t("invitation.title")}>
      <p class="lead">{t("invitation.intro")}</p>
      <dl class="facts">
        <dt>{t("invitation.team")}</dt>
        <dd>{info.team.name}</dd>
        <dt>{t("invitation.invitedBy")}</dt>
        <dd>{info.invitedBy ?? t("invitation.invitedByUnknown")}</dd>
        <dt>{t("invitation.email")}</dt>
        <dd>{info.email ?? t("invitation.openLink")}</dd>
        <dt>{t("invitation.roles")}</dt>
        <dd>{roleNames(info.roles.map((r) => r.name))}</dd>
        <dt>{t("invitation.expires")}</dt>
        <dd>
          <time dateTime={info.expiresAt}>{formatTime(info.expiresAt)}</time>
        </dd>
        <dt>{t("invitation.status")}</dt>
        <dd>{t(`invitation.statusWord.${info.status}`)}</dd>
      </dl>

      {info.status !== "pending" ? null : s.status === "loading" ? (
        <Loading />
      ) : me ? (
        me.user.accountType !== "member" ? (
          <p>{t("invitation.adminCannotJoin")}</p>
        ) : (
          <form
            onSubmit={onSubmit(async () => {
              setAccept({ alert: "", busy: true });
              const r = await authed(() => client.POST("/v1/invitations/{token}/accept", { params: { path: { token } } }));
              if (!r.ok) {
                const words =
                  r.error.code === "forbidden"
                    ? t("invitation.wrongAccount")
                    : r.error.code === "already_member"
                      ? t("invitation.alreadyMember")
                      : r.error.code in goneStatus
                        ? t(`invitation.gone.${r.error.code}`)
                        : codeWords(r.error);
                setMember(r.error.code === "already_member");
                setAccept({ alert: words, busy: false });
                return;
              }
              await loadMe();
              route(`/teams/${r.data.team.id}`);
            })}
          >
            <p>{t("invitation.signedInAs", { name: me.user.username })}</p>
            <FormAlert form={accept} />
            {member && (
              <p>
                <a href={`/teams/${encodeURIComponent(info.team.id)}`}>{t("invitation.openTeam")}</a>
              </p>
            )}
            <div class="actions">
              <Submit busy={accept.busy}>{t("invitation.accept")}</Submit>
            </div>
          </form>
        )
      ) : (
        <>
          <h2>{t("invitation.haveAccount")}</h2>
          <p>
            <a class="cta" href={`/login?next=${encodeURIComponent(here)}`}>
              {t("invitation.signInToAccept")}
            </a>
          </p>
          <h2>{t("invitation.newPerson")}</h2>
          <p>
            <a class="cta" href={`/register?invitation=${encodeURIComponent(token)}`}>
              {t("invitation.registerFromInvitation")}
            </a>
          </p>
        </>
      )}
    </Page>
  );
}

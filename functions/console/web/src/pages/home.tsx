// Home: the teams I belong to, or, for a member without one, how to join one.
import { useEffect } from "preact/hooks";
import { roleNames, t, useLanguage } from "../i18n";
import { loadMe, useSession } from "../session";
import { Page } from "../components/ui";

export function Home() {
  useLanguage();
  const { me } = useSession();
  useEffect(() => {
    void loadMe(); // teams change while the page is away
  }, []);
  if (!me) return null;
  const admin = me.user.accountType !== "member";
  return (
    <Page title={t("home.title")}>
      <p class="lead">
        {t("home.welcome", { name: me.user.username })}
        <span class="badge">{t(`home.accountType.${me.user.accountType}`)}</span>
      </p>
      {admin ? (
        <section>
          <p>{t("home.admin")}</p>
          <ul class="teams">
            <li>
              <a href="/users">{t("nav.users")}</a>
              <p class="roles">{t("home.adminUsers")}</p>
            </li>
            <li>
              <a href="/teams">{t("nav.teams")}</a>
              <p class="roles">{t("home.adminTeams")}</p>
            </li>
            <li>
              <a href="/roles">{t("nav.roles")}</a>
              <p class="roles">{t("home.adminRoles")}</p>
            </li>
            <li>
              <a href="/audit">{t("nav.audit")}</a>
              <p class="roles">{t("home.adminAudit")}</p>
            </li>
          </ul>
        </section>
      ) : (
        <section>
          <h2 id="teams-title">{t("home.teamsTitle")}</h2>
          {me.teams.length === 0 ? (
            <>
              <p>{t("home.noTeams")}</p>
              <p>
                <a class="cta" href="/join">
                  {t("home.joinCta")}
                </a>
              </p>
            </>
          ) : (
            <ul class="teams">
              {me.teams.map((team) => (
                <li key={team.id}>
                  <a href={`/teams/${encodeURIComponent(team.id)}`}>{team.name}</a>
                  <p class="roles">
                    {t("home.rolesLine", { roles: roleNames(team.roles) })}
                  </p>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
    </Page>
  );
}

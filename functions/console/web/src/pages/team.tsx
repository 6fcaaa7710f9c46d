// A team's overview: its name, description, my roles in it and its sign-in link (with a
// copy button); renamed and described by who holds team:update, deleted by admins, left
// by a member. Its members and invitations are the next tabs.
import { useLocation } from "preact-iso";
import { useState } from "preact/hooks";
import { authed, client } from "../api/client";
import { useForm } from "../form";
import { formatTime, roleNames, t, useLanguage } from "../i18n";
import { loadMe, useSession } from "../session";
import { forgetTeam, rememberTeam } from "../names";
import { isAdmin, teamMay } from "../powers";
import { Field, Page, Status } from "../components/ui";
import { SendForm } from "../components/sendform";
import { TextAreaField } from "../components/fields";
import { Confirm } from "../components/dialog";
import { CopyButton } from "../components/copy";
import { TeamHead, TeamLoading, useTeam, type Team } from "../components/teamframe";
import * as v from "../validate";

export function TeamPage({ id }: { id: string }) {
  useLanguage();
  const { me } = useSession();
  const { query, route } = useLocation();
  const { team, error, setTeam, reload } = useTeam(id);
  const [open, setOpen] = useState<"delete" | "leave" | null>(null);

  if (!team || !me) return <TeamLoading error={error} />;
  const admin = isAdmin(me.user);
  const mine = me.teams.find((x) => x.id === team.id);
  const mayEdit = teamMay(me, team.id, "team:update");

  return (
    <Page title={team.name} wide>
      <TeamHead team={team} current="overview" />
      {query.created && <Status message={t("team.created", { name: team.name })} />}
      <dl class="facts">
        <dt>{t("team.description")}</dt>
        <dd class="pre">{team.description || t("team.noDescription")}</dd>
        {!admin && (
          <>
            <dt>{t("team.myRoles")}</dt>
            <dd>{mine && mine.roles.length ? roleNames(mine.roles) : t("common.none")}</dd>
          </>
        )}
        <dt>{t("team.loginLink")}</dt>
        <dd>
          <a href={team.loginUrl}>{team.loginUrl}</a> <CopyButton text={team.loginUrl} label={t("team.copyLink")} />
          <p class="hint">{t("team.loginLinkHint")}</p>
        </dd>
        <dt>{t("teams.created")}</dt>
        <dd>
          <time dateTime={team.createdAt}>{formatTime(team.createdAt)}</time>
        </dd>
      </dl>

      {mayEdit && (
        <EditTeam
          team={team}
          saved={(next) => {
            setTeam(next);
            rememberTeam(next);
            if (!admin) void loadMe();
          }}
          reload={reload}
        />
      )}

      {(admin || mine) && (
        <section>
          <h2 id="team-danger">{admin ? t("team.deleteTitle") : t("team.leaveTitle")}</h2>
          <p>{admin ? t("team.deleteIntro") : t("team.leaveIntro")}</p>
          <div class="actions">
            <button type="button" class="danger" onClick={() => setOpen(admin ? "delete" : "leave")}>
              {admin ? t("team.delete") : t("team.leave")}
            </button>
          </div>
        </section>
      )}

      {open === "delete" && (
        <Confirm
          title={t("team.deleteConfirmTitle", { name: team.name })}
          confirm={t("team.deleteConfirm", { name: team.name })}
          danger
          run={() => authed(() => client.DELETE("/v1/teams/{id}", { params: { path: { id: team.id } } }))}
          onClose={() => setOpen(null)}
          onDone={() => {
            forgetTeam(team.id);
            route(`/teams?deleted=${encodeURIComponent(team.name)}`);
          }}
        >
          <p>{t("team.deleteText", { name: team.name })}</p>
        </Confirm>
      )}
      {open === "leave" && (
        <Confirm
          title={t("team.leaveConfirmTitle", { name: team.name })}
          confirm={t("team.leave")}
          danger
          run={() => authed(() => client.DELETE("/v1/teams/{id}/members/{userId}", { params: { path: { id: team.id, userId: me.user.id } } }))}
          onClose={() => setOpen(null)}
          onDone={async () => {
            await loadMe();
            route("/");
          }}
        >
          <p>{t("team.leaveText", { name: team.name })}</p>
        </Confirm>
      )}
    </Page>
  );
}

function EditTeam({ team, saved, reload }: { team: Team; saved: (t: Team) => void; reload: () => Promise<void> }) {
  useLanguage();
  const [done, setDone] = useState("");
  const [stale, setStale] = useState(false);
  const form = useForm("edit-team", { name: team.name, description: team.description }, { name: v.name, description: v.description });
  return (
    <section>
      <h2 id="team-edit">{t("team.editTitle")}</h2>
      <SendForm
        form={form}
        submit={t("team.save")}
        send={async () => {
          setDone("");
          setStale(false);
          const body: { name?: string; description?: string } = {};
          if (form.values.name.trim() !== team.name) body.name = form.values.name.trim();
          if (form.values.description.trim() !== team.description) body.description = form.values.description.trim();
          if (Object.keys(body).length === 0) return setDone(t("user.nothingToSave"));
          const r = await authed(() => client.PATCH("/v1/teams/{id}", { params: { path: { id: team.id } }, body }));
          if (!r.ok) {
            if (r.error.code === "version_conflict") setStale(true);
            return form.fail(r.error, { version_conflict: { words: t("team.conflict") } });
          }
          saved(r.data);
          setDone(t("team.saved"));
        }}
      >
        {stale && (
          <p>
            <button
              type="button"
              class="secondary"
              onClick={async () => {
                await reload();
                setStale(false);
                form.setAlert("");
                setDone(t("team.reloaded"));
              }}
            >
              {t("user.loadCurrent")}
            </button>
          </p>
        )}
        <Field form={form} name="name" label={t("teams.name")} hint={t("teams.nameHint")} autoComplete="off" maxLength={64} />
        <TextAreaField form={form} name="description" label={t("team.description")} hint={t("teams.descriptionHint")} optional maxLength={500} />
        <Status message={done} />
      </SendForm>
    </section>
  );
}

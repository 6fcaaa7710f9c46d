// Join a team with the 8-digit invitation code a team manager gave out.
import { useLocation } from "preact-iso";
import { client, authed } from "../api/client";
import { useForm } from "../form";
import { t, useLanguage } from "../i18n";
import { loadMe } from "../session";
import { Field, FormAlert, Page, Submit, onSubmit } from "../components/ui";
import * as v from "../validate";

export function Join() {
  useLanguage();
  const { route } = useLocation();
  const form = useForm("join", { code: "" }, { code: v.digits(8) });
  return (
    <Page title={t("join.title")}>
      <p class="lead">{t("join.intro")}</p>
      <form
        noValidate
        onSubmit={onSubmit(() =>
          form.submit(async () => {
            const r = await authed(() => client.POST("/v1/teams/join", { body: { code: form.values.code.trim() } }));
            if (!r.ok) {
              return form.fail(r.error, {
                not_found: { field: "code", words: t("join.codeNotFound") },
                invitation_used: { field: "code" },
                invitation_expired: { field: "code" },
                invitation_revoked: { field: "code" },
                already_member: { field: "code" },
                rate_limited: { field: "code" },
              });
            }
            await loadMe();
            route(`/teams/${r.data.team.id}`);
          }),
        )}
      >
        <FormAlert form={form} />
        <Field form={form} name="code" label={t("join.code")} inputMode="numeric" autoComplete="off" maxLength={8} autoFocus />
        <div class="actions">
          <Submit busy={form.busy}>{t("join.submit")}</Submit>
        </div>
      </form>
    </Page>
  );
}

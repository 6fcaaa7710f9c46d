import { t, useLanguage } from "../i18n";
import { Page } from "../components/ui";

export function TeamPage(_: Record<string, unknown>) {
  useLanguage();
  return <Page title={t("team.title")}>{null}</Page>;
}

import { t, useLanguage } from "../i18n";
import { Page } from "../components/ui";

export function Invitation(_: Record<string, unknown>) {
  useLanguage();
  return <Page title={t("invitation.title")}>{null}</Page>;
}

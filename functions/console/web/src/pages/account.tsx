import { t, useLanguage } from "../i18n";
import { Page } from "../components/ui";

export function Account(_: Record<string, unknown>) {
  useLanguage();
  return <Page title={t("account.title")}>{null}</Page>;
}

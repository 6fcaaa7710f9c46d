import { t, useLanguage } from "../i18n";
import { Page } from "../components/ui";

export function Join(_: Record<string, unknown>) {
  useLanguage();
  return <Page title={t("join.title")}>{null}</Page>;
}

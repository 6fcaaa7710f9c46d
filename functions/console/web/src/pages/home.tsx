import { t, useLanguage } from "../i18n";
import { Page } from "../components/ui";

export function Home(_: Record<string, unknown>) {
  useLanguage();
  return <Page title={t("home.title")}>{null}</Page>;
}

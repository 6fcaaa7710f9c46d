import { t, useLanguage } from "../i18n";
import { Page } from "../components/ui";

export function Register(_: Record<string, unknown>) {
  useLanguage();
  return <Page title={t("register.title")}>{null}</Page>;
}

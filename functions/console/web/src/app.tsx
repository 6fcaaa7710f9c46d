// The console's frame: a skip link, the header with its navigation and the language
// switch (on every page), and the routes.
import { LocationProvider, Router, Route, useLocation } from "preact-iso";
import type { ComponentType } from "preact";
import { useEffect } from "preact/hooks";
import { isLanguage, languages, setLanguage, t, useLanguage } from "./i18n";
import { signOut, useSession } from "./session";
import { Loading, Page } from "./components/ui";
import { Login } from "./pages/login";
import { Register } from "./pages/register";
import { ForgotPassword } from "./pages/forgot";
import { Invitation } from "./pages/invitation";
import { Join } from "./pages/join";
import { Home } from "./pages/home";
import { TeamPage } from "./pages/team";
import { Account } from "./pages/account";

function LanguageSwitch() {
  const lang = useLanguage();
  return (
    <div class="lang">
      <label for="language">{t("lang.label")}</label>
      <select
        id="language"
        value={lang}
        onChange={(e) => {
          const v = e.currentTarget.value;
          if (isLanguage(v)) setLanguage(v);
        }}
      >
        {languages.map((l) => (
          <option key={l} value={l} lang={l}>
            {t(`lang.${l}`)}
          </option>
        ))}
      </select>
    </div>
  );
}

function Header() {
  useLanguage();
  const s = useSession();
  const { route, path } = useLocation();
  const current = (p: string) => (path === p ? "page" : undefined);
  const member = s.me?.user.accountType === "member";
  return (
    <header class="top">
      <a class="brand" href="/">
        {t("app.name")}
      </a>
      <nav aria-label={t("nav.label")}>
        <ul>
          {s.status === "signedIn" ? (
            <>
              <li>
                <a href="/" aria-current={current("/")}>
                  {t("nav.home")}
                </a>
              </li>
              {member && (
                <li>
                  <a href="/join" aria-current={current("/join")}>
                    {t("nav.join")}
                  </a>
                </li>
              )}
              <li>
                <a href="/account" aria-current={current("/account")}>
                  {t("nav.account")}
                </a>
              </li>
              <li>
                <button
                  type="button"
                  class="link"
                  onClick={async () => {
                    await signOut();
                    route("/login");
                  }}
                >
                  {t("nav.signOut")}
                </button>
              </li>
            </>
          ) : s.status === "signedOut" ? (
            <>
              <li>
                <a href="/login" aria-current={current("/login")}>
                  {t("nav.signIn")}
                </a>
              </li>
              <li>
                <a href="/register" aria-current={current("/register")}>
                  {t("nav.register")}
                </a>
              </li>
            </>
          ) : null}
        </ul>
      </nav>
      <LanguageSwitch />
    </header>
  );
}

// Protected shows its page to a signed-in person and sends anyone else to sign in,
// coming back here afterwards.
function Protected({ component: C, ...props }: { component: ComponentType<any>; [k: string]: unknown }) {
  const s = useSession();
  const { url, route } = useLocation();
  useEffect(() => {
    if (s.status === "signedOut") route(`/login?next=${encodeURIComponent(url)}`, true);
  }, [s.status]);
  if (s.status !== "signedIn") return <Loading />;
  return <C {...props} />;
}

function NotFound() {
  useLanguage();
  return (
    <Page title={t("app.notFoundTitle")}>
      <p>{t("app.notFoundText")}</p>
      <p>
        <a href="/">{t("app.goHome")}</a>
      </p>
    </Page>
  );
}

const guarded = (C: ComponentType<any>) => (props: Record<string, unknown>) => <Protected component={C} {...props} />;
const HomeRoute = guarded(Home);
const JoinRoute = guarded(Join);
const AccountRoute = guarded(Account);
const TeamRoute = guarded(TeamPage);

export function App() {
  useLanguage();
  return (
    <LocationProvider>
      <a class="skip" href="#main">
        {t("app.skipToContent")}
      </a>
      <Header />
      <main id="main" tabIndex={-1}>
        <Router>
          <Route path="/" component={HomeRoute} />
          <Route path="/login" component={Login} />
          <Route path="/register" component={Register} />
          <Route path="/forgot-password" component={ForgotPassword} />
          <Route path="/invitations/:token" component={Invitation} />
          <Route path="/join" component={JoinRoute} />
          <Route path="/account" component={AccountRoute} />
          <Route path="/teams/:id" component={TeamRoute} />
          <Route default component={NotFound} />
        </Router>
      </main>
    </LocationProvider>
  );
}

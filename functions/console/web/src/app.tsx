// The console's frame: a skip link, the header with its navigation and the language
// switch (on every page), and the routes.
import { ErrorBoundary, LocationProvider, Router, Route, lazy, useLocation } from "preact-iso";
import type { ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";
import { setLanguage, t, useLanguage } from "./i18n";
import { signOut, useSession } from "./session";
import { LanguageSelect, Loading, Page } from "./components/ui";
import { Login } from "./pages/login";
import { Register } from "./pages/register";
import { ForgotPassword } from "./pages/forgot";
import { Invitation } from "./pages/invitation";
import { Join } from "./pages/join";
import { Home } from "./pages/home";
import { Account } from "./pages/account";
import { isAdmin } from "./powers";

// The pages for admins and team managers are chunks of their own, loaded when first
// opened: a person who only signs in never downloads them.
const Users = lazy(() => import("./pages/users").then((m) => m.Users));
const UserPage = lazy(() => import("./pages/user").then((m) => m.UserPage));
const Teams = lazy(() => import("./pages/teams").then((m) => m.Teams));
const TeamPage = lazy(() => import("./pages/team").then((m) => m.TeamPage));
const Members = lazy(() => import("./pages/members").then((m) => m.Members));
const Invitations = lazy(() => import("./pages/invitations").then((m) => m.Invitations));
const Roles = lazy(() => import("./pages/roles").then((m) => m.Roles));
const Audit = lazy(() => import("./pages/audit").then((m) => m.Audit));

function LanguageSwitch() {
  const lang = useLanguage();
  return (
    <div class="lang">
      <label for="language">{t("lang.label")}</label>
      <LanguageSelect id="language" value={lang} onChange={setLanguage} />
    </div>
  );
}

function Header() {
  useLanguage();
  const s = useSession();
  const { route, path } = useLocation();
  // The page itself is "page"; a page inside a section (a user of Users) marks the section.
  const current = (p: string) => (path === p ? "page" : p !== "/" && path.startsWith(`${p}/`) ? "true" : undefined);
  const member = s.me?.user.accountType === "member";
  const admin = isAdmin(s.me?.user);
  const teams = admin || (s.me?.teams.length ?? 0) > 0;
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
              {admin && (
                <li>
                  <a href="/users" aria-current={current("/users")}>
                    {t("nav.users")}
                  </a>
                </li>
              )}
              {teams && (
                <li>
                  <a href="/teams" aria-current={current("/teams")}>
                    {admin ? t("nav.teams") : t("nav.myTeams")}
                  </a>
                </li>
              )}
              {admin && (
                <>
                  <li>
                    <a href="/roles" aria-current={current("/roles")}>
                      {t("nav.roles")}
                    </a>
                  </li>
                  <li>
                    <a href="/audit" aria-current={current("/audit")}>
                      {t("nav.audit")}
                    </a>
                  </li>
                </>
              )}
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

// AdminOnly shows an admin's page to admins; anyone else is told it is not theirs,
// rather than meeting the API's 403 on every part of it.
function AdminOnly({ component: C, ...props }: { component: ComponentType<any>; [k: string]: unknown }) {
  useLanguage();
  const s = useSession();
  if (!isAdmin(s.me?.user)) {
    return (
      <Page title={t("app.adminOnlyTitle")}>
        <p>{t("app.adminOnlyText")}</p>
        <p>
          <a href="/">{t("app.goHome")}</a>
        </p>
      </Page>
    );
  }
  return <C {...props} />;
}

function ChunkError() {
  useLanguage();
  return (
    <Page title={t("app.chunkErrorTitle")}>
      <div role="alert" class="alert error">
        <p>{t("app.chunkErrorText")}</p>
      </div>
      <p>
        <a href="/">{t("app.goHome")}</a>
      </p>
    </Page>
  );
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
const admins = (C: ComponentType<any>) => guarded((props: Record<string, unknown>) => <AdminOnly component={C} {...props} />);
const UsersRoute = admins(Users);
const UserRoute = admins(UserPage);
const RolesRoute = admins(Roles);
const AuditRoute = admins(Audit);
const TeamsRoute = guarded(Teams);
const MembersRoute = guarded(Members);
const InvitationsRoute = guarded(Invitations);

// Routes are the pages. A page's chunk that fails to load (the network, or a new
// release replaced it) is said in words on that address; another address tries again.
function Routes() {
  const { url } = useLocation();
  const [failedAt, setFailedAt] = useState<string | null>(null);
  if (failedAt === url) return <ChunkError />;
  return (
    <ErrorBoundary onError={() => setFailedAt(url)}>
      <Router>
        <Route path="/" component={HomeRoute} />
        <Route path="/login" component={Login} />
        <Route path="/register" component={Register} />
        <Route path="/forgot-password" component={ForgotPassword} />
        <Route path="/invitations/:token" component={Invitation} />
        <Route path="/join" component={JoinRoute} />
        <Route path="/account" component={AccountRoute} />
        <Route path="/teams" component={TeamsRoute} />
        <Route path="/teams/:id" component={TeamRoute} />
        <Route path="/teams/:id/members" component={MembersRoute} />
        <Route path="/teams/:id/invitations" component={InvitationsRoute} />
        <Route path="/users" component={UsersRoute} />
        <Route path="/users/:id" component={UserRoute} />
        <Route path="/roles" component={RolesRoute} />
        <Route path="/audit" component={AuditRoute} />
        <Route default component={NotFound} />
      </Router>
    </ErrorBoundary>
  );
}

export function App() {
  useLanguage();
  return (
    <LocationProvider>
      <a class="skip" href="#main">
        {t("app.skipToContent")}
      </a>
      <Header />
      <main id="main" tabIndex={-1}>
        <Routes />
      </main>
    </LocationProvider>
  );
}

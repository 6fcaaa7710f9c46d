// Who is signed in. On a page load the console has no access token (it lives in memory
// only): it asks /v1/auth/refresh, which reads the HttpOnly cookie, and then /v1/me.
import { useEffect, useState } from "preact/hooks";
import { authed, call, client, refreshTokens, sessionHooks, setAccessToken, type Me, type Result, type Tokens } from "./api/client";

// Why the sign-in page is shown: each has words in login.notice.*.
export type Notice = "frozen" | "expired" | "signedOut" | "passwordChanged" | "passwordReset" | "registered";

export interface SessionState {
  status: "loading" | "signedOut" | "signedIn";
  me: Me | null;
  notice: Notice | null;
}

let state: SessionState = { status: "loading", me: null, notice: null };
const listeners = new Set<(s: SessionState) => void>();

function set(next: Partial<SessionState>): void {
  state = { ...state, ...next };
  for (const l of listeners) l(state);
}

export function session(): SessionState {
  return state;
}

export function useSession(): SessionState {
  const [s, setS] = useState(state);
  useEffect(() => {
    listeners.add(setS);
    setS(state);
    return () => void listeners.delete(setS);
  }, []);
  return s;
}

// end forgets the session in this browser and says why on the sign-in page.
export function end(notice: Notice | null): void {
  setAccessToken(null);
  set({ status: "signedOut", me: null, notice });
}

export function clearNotice(): void {
  if (state.notice) set({ notice: null });
}

sessionHooks.expired = () => {
  if (state.status === "signedIn") end("expired");
};
sessionHooks.frozen = () => end("frozen");

// loadMe reads the caller and its teams; the session is signed in once it has them.
export async function loadMe(): Promise<Result<Me>> {
  const r = await authed(() => client.GET("/v1/me"));
  if (r.ok) set({ status: "signedIn", me: r.data as Me });
  return r as Result<Me>;
}

// start is the page load: a session exists when the cookie still yields tokens.
export async function start(): Promise<void> {
  const r = await refreshTokens();
  if (!r.ok) {
    set({ status: "signedOut", notice: r.error.code === "account_frozen" ? "frozen" : null });
    return;
  }
  const me = await loadMe();
  if (!me.ok && state.status === "loading") set({ status: "signedOut" });
}

// signedIn takes the tokens a sign-in answered and reads who it is.
export async function signedIn(tokens: Tokens): Promise<Result<Me>> {
  setAccessToken(tokens.accessToken);
  const r = await loadMe();
  if (r.ok) set({ notice: null });
  else setAccessToken(null);
  return r;
}

// signOut ends every session of the user at Roster (and its cookie), then here.
export async function signOut(): Promise<boolean> {
  const r = await call(() => client.POST("/v1/auth/logout", { body: {} }));
  end("signedOut");
  return r.ok;
}

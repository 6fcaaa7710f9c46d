// Every team the caller may see, for the pickers that choose one (the users list's
// team filter): read page by page, at most 1,000.
import { useEffect, useState } from "preact/hooks";
import { authed, client, type Schemas } from "./api/client";
import { rememberTeam } from "./names";

export type Team = Schemas["Team"];

export function useAllTeams(): { items: Team[]; more: boolean } {
  const [state, setState] = useState<{ items: Team[]; more: boolean }>({ items: [], more: false });
  useEffect(() => {
    let live = true;
    void (async () => {
      const all: Team[] = [];
      let cursor: string | undefined;
      for (let i = 0; i < 10; i++) {
        const r = await authed(() => client.GET("/v1/teams", { params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } } }));
        if (!r.ok || !live) return;
        r.data.items.forEach(rememberTeam);
        all.push(...r.data.items);
        setState({ items: [...all], more: !!r.data.nextCursor });
        if (!r.data.nextCursor) return;
        cursor = r.data.nextCursor;
      }
    })();
    return () => {
      live = false;
    };
  }, []);
  return state;
}

import { StrictMode, useEffect, useRef, useState } from "react";
import { createRoot } from "react-dom/client";
import { configure, identify } from "/portico/portico.js";

// Stand-in for `useAuth()` from @workos-inc/authkit-react: the demo server's
// first seeded account, shaped exactly as AuthKit hands `user` and
// `organizationId` to the browser.
function useDemoAuth() {
  const [auth, setAuth] = useState(null);
  useEffect(() => {
    fetch("/v1/demo/accounts")
      .then((response) => response.json())
      .then(([account]) =>
        setAuth({
          user: {
            object: "user",
            id: account.user.id,
            email: account.user.email,
            firstName: account.user.first_name,
            lastName: account.user.last_name,
            emailVerified: true,
            profilePictureUrl: null,
          },
          organizationId: account.organization.id,
          // With AuthKit: `getAccessToken` from useAuth(). Here the demo
          // server's token endpoint plays the host's backend.
          getAccessToken: async () => {
            const response = await fetch("/v1/demo/portal-tokens", {
              method: "POST",
              headers: { "Content-Type": "application/json" },
              body: JSON.stringify({ organization_id: account.organization.id, user_id: account.user.id }),
            });
            return (await response.json()).token;
          },
        }),
      );
  }, []);
  return auth;
}

function Billing() {
  const auth = useDemoAuth();
  const portal = useRef(null);
  const [planName, setPlanName] = useState(null);
  const [lastChange, setLastChange] = useState(null);

  useEffect(() => {
    if (!auth) return;
    configure({ apiBase: window.location.origin, getToken: auth.getAccessToken, locale: "en-US" });
    identify({ user: auth.user, organization: auth.organizationId });
  }, [auth]);

  useEffect(() => {
    const element = portal.current;
    if (!element) return;
    const ready = (event) => setPlanName(event.detail.planName);
    const changed = (event) => setLastChange(event.detail);
    element.addEventListener("portico:ready", ready);
    element.addEventListener("portico:plan-changed", changed);
    return () => {
      element.removeEventListener("portico:ready", ready);
      element.removeEventListener("portico:plan-changed", changed);
    };
  }, []);

  return (
    <main className="app">
      <h1>Billing</h1>
      <p data-testid="react-status">
        {auth ? `${auth.user.firstName} ${auth.user.lastName}` : "Signing in…"}
        {planName ? ` · ${planName}` : ""}
        {lastChange ? ` · changed to ${lastChange.planId} (${lastChange.interval})` : ""}
      </p>
      <portico-portal ref={portal} theme="light"></portico-portal>
    </main>
  );
}

createRoot(document.getElementById("root")).render(
  <StrictMode>
    <Billing />
  </StrictMode>,
);

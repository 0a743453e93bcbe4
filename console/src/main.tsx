import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { whenUnauthorized } from './api';
import { href, navigate, useRoute } from './router';
import { claimsOf, forgetToken, isAuditor, isStaff, storedToken, type Claims } from './session';
import { AccountPage, AccountsPage } from './pages/accounts';
import { LivePage } from './pages/live';
import { OrdersPage } from './pages/orders';
import { ProjectionsPage } from './pages/projections';
import { SignInPage } from './pages/sign-in';
import { CorrelationPage, StreamPage, StreamsPage } from './pages/streams';
import './console.css';

interface Link {
  path: string;
  label: string;
  /** Who sees the link: staff (auditor, admin), auditors only, or everyone signed in. */
  who: 'staff' | 'auditor' | 'all';
}

/**
 * Auditors see every page; admins all but the live tail (GET /events/live is the auditor's); customers and tellers
 * see Accounts. The server decides each call.
 */
const LINKS: Link[] = [
  { path: 'streams', label: 'Streams', who: 'staff' },
  { path: 'live', label: 'Live', who: 'auditor' },
  { path: 'accounts', label: 'Accounts', who: 'all' },
  { path: 'projections', label: 'Projections', who: 'staff' },
  { path: 'orders', label: 'Orders', who: 'staff' },
];

function App() {
  const route = useRoute();
  const [claims, setClaims] = useState<Claims | null>(() => {
    const token = storedToken();
    return token ? claimsOf(token) : null;
  });

  useEffect(
    () =>
      whenUnauthorized(() => {
        setClaims(null);
        navigate(['sign-in'], { expired: '1' });
      }),
    [],
  );

  // An expired token would only earn 401s: back to sign-in when it expires.
  useEffect(() => {
    if (!claims?.exp) return;
    const left = claims.exp * 1000 - Date.now();
    const expire = () => {
      forgetToken();
      setClaims(null);
      navigate(['sign-in'], { expired: '1' });
    };
    if (left <= 0) {
      expire();
      return;
    }
    // setTimeout takes at most 2^31-1 ms (about 24.8 days); a longer token is checked again by the server anyway.
    const timer = setTimeout(expire, Math.min(left, 2 ** 31 - 1));
    return () => clearTimeout(timer);
  }, [claims]);

  if (!claims || route.path[0] === 'sign-in') {
    return (
      <SignInPage
        expired={route.params.get('expired') === '1'}
        onSignedIn={(signedIn) => {
          setClaims(signedIn);
          navigate([isStaff(signedIn) ? 'streams' : 'accounts']);
        }}
      />
    );
  }

  const staff = isStaff(claims);
  const auditor = isAuditor(claims);
  const links = LINKS.filter(
    (link) => link.who === 'all' || (link.who === 'staff' ? staff : auditor),
  );
  const page = route.path[0] ?? (staff ? 'streams' : 'accounts');
  const id = route.path[1];
  let content;
  switch (page) {
    case 'streams':
      content = id ? (
        <StreamPage streamId={id} route={route} />
      ) : (
        <StreamsPage route={route} linked={auditor} />
      );
      break;
    case 'correlations':
      content = <CorrelationPage correlationId={id ?? ''} />;
      break;
    case 'live':
      content = <LivePage />;
      break;
    case 'accounts':
      content = id ? <AccountPage accountId={id} /> : <AccountsPage />;
      break;
    case 'projections':
      content = <ProjectionsPage claims={claims} />;
      break;
    case 'orders':
      content = <OrdersPage claims={claims} />;
      break;
    default:
      content = <p role="alert">No such page.</p>;
  }

  return (
    <>
      <header class="top">
        <span class="brand">Chronicle</span>
        <nav aria-label="Console">
          <ul>
            {links.map((link) => (
              <li key={link.path}>
                <a
                  href={href([link.path])}
                  aria-current={
                    page === link.path || (page === 'correlations' && link.path === 'streams')
                      ? 'page'
                      : undefined
                  }
                >
                  {link.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span class="who">
          {claims.sub} ({claims.roles.join(', ') || 'no role'})
        </span>
        <button
          type="button"
          onClick={() => {
            forgetToken();
            setClaims(null);
            navigate(['sign-in']);
          }}
        >
          Sign out
        </button>
      </header>
      <main>{content}</main>
    </>
  );
}

render(<App />, document.getElementById('app')!);

/**
 * Pages a directory site serves on a bad day instead of its results, with status 200 — what a
 * client that only reads result lists would take for "no listing":
 *
 * | fault           | page                                                                          |
 * |-----------------|-------------------------------------------------------------------------------|
 * | `wall`          | one of four bot walls, drawn per request: reCAPTCHA v2 (the `captcha` push-back |
 * |                 | page), hCaptcha, Cloudflare's "Just a moment..." JS challenge, or an in-house |
 * |                 | "access denied: automated access" interstitial                                |
 * | `layoutChanged` | the same results in another layout and skin, as after a redesign: an HTML site |
 * |                 | in the `legacy` layout (a `legacy` site in `cards`) with skin `<skin>v2`; a JSON |
 * |                 | site's answer wrapped as `{"apiVersion": 2, "payload": …}`                    |
 *
 * The walls carry the markup each vendor's integration embeds (widget classes, script hosts,
 * challenge paths), so a client recognises them the way it would the real ones. No wall contains
 * the site's result list markup.
 */
import { CONTENT_TYPES, escapeHtml as e, LAYOUTS, renderCaptcha, type LayoutId, type PageContext } from './layouts';
import type { Rng } from './rng';

/** The walls the `wall` fault serves. */
export const WALL_KINDS = ['recaptcha', 'hcaptcha', 'cloudflare', 'interstitial'] as const;
/** A wall the `wall` fault serves. */
export type WallKind = (typeof WALL_KINDS)[number];

/** What the sandbox server sends. */
interface PageAnswer {
  readonly status: number;
  readonly body: string;
  readonly contentType: string;
}

/** A bot wall drawn from `rng`, in place of the page for `page`. */
export function renderWall(page: PageContext, rng: Rng): PageAnswer {
  const kind = rng.pick(WALL_KINDS);
  return { status: 200, body: wallPage(kind, page), contentType: CONTENT_TYPES.html };
}

/** The page of one wall kind. */
export function wallPage(kind: WallKind, page: PageContext): string {
  switch (kind) {
    case 'recaptcha':
      return renderCaptcha(page);
    case 'hcaptcha':
      return shell(
        `Verify you are human - ${page.siteName}`,
        `<script src="https://js.hcaptcha.com/1/api.js" async defer></script>`,
        `<h1>One more step</h1><p>Please complete the security check to access ${e(page.siteName)}.</p>
<form method="post"><div class="h-captcha" data-sitekey="00000000-0000-0000-0000-000000000000"></div><button type="submit">Submit</button></form>`,
      );
    case 'cloudflare':
      return shell(
        'Just a moment...',
        `<script>window._cf_chl_opt={cvId:'3',cType:'managed',cRay:'sandbox'};</script>`,
        `<div class="main-wrapper"><h1>${e(new URL(page.baseUrl).host)}</h1><h2 id="challenge-running">Checking if the site connection is secure</h2>
<noscript>Enable JavaScript and cookies to continue</noscript>
<form id="challenge-form" action="/${e(page.siteId)}/?__cf_chl_f_tk=sandbox" method="POST"></form>
<script src="/cdn-cgi/challenge-platform/h/g/orchestrate/chl_page/v1"></script></div>`,
      );
    case 'interstitial':
      return shell(
        'Access denied',
        '',
        `<h1>Access denied</h1><p>Your request to ${e(page.siteName)} was blocked because it looks like automated access. If you are a person, try again later.</p>`,
      );
  }
}

function shell(title: string, head: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="robots" content="noindex, nofollow">
<title>${e(title)}</title>
${head}
</head>
<body>
${body}
</body>
</html>
`;
}

/** The layout a site's redesign uses: never the site's own, and never one its selectors read. */
function redesignOf(layout: LayoutId): LayoutId {
  return layout === 'legacy' ? 'cards' : 'legacy';
}

/** The results of `page` as the site would show them after a redesign (see the module comment). */
export function renderRedesigned(layout: LayoutId, page: PageContext): PageAnswer {
  if (LAYOUTS[layout].kind === 'json') {
    const body = JSON.stringify({ apiVersion: 2, payload: JSON.parse(LAYOUTS[layout].render(page)) as unknown });
    return { status: 200, body, contentType: CONTENT_TYPES.json };
  }
  const body = LAYOUTS[redesignOf(layout)].render({ ...page, skin: `${page.skin}v2` });
  return { status: 200, body, contentType: CONTENT_TYPES.html };
}

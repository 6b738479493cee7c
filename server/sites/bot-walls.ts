/**
 * Bot walls: the pages a site's bot protection answers instead of the page asked for, often
 * with status 200. Read as a page, a wall has no result list, so it looks like "no listing" —
 * the trap `server/sandbox/push-back.ts` describes. This module recognises the common walls by
 * the markup their vendors publish and embed (widget classes, script hosts, challenge paths),
 * plus the plain-language texts of "are you a robot" interstitials.
 *
 *   page with no listings ─▶ vendor signature? ─▶ wall (recaptcha, hcaptcha, cloudflare, …)
 *                          └▶ robot-check text? ─▶ wall (interstitial)
 *                          └▶ neither ─────────▶ undefined: the page is judged on its own markers
 *
 * Invariants:
 * - only pages that yielded no listing are checked: a results page that embeds a captcha for its
 *   contact form is still a results page;
 * - a signature names a challenge, not a vendor's mere presence: reCAPTCHA v3 loads
 *   `recaptcha/api.js` on every page of some sites, so only the v2 widget (`g-recaptcha`) or its
 *   challenge frame counts.
 */

/** A recognised wall's name and the signature that gave it away. */
export interface WallSighting {
  /** `recaptcha`, `hcaptcha`, `cloudflare`, `turnstile`, `datadome`, `perimeterx`, `imperva`, `akamai`, `aws-waf`, `interstitial`, or `marker` for a definition's own. */
  readonly wall: string;
  readonly evidence: string;
}

/**
 * Signatures by vendor. Each is markup the vendor's own integration guide tells sites to embed,
 * or text of the vendor's stock block page.
 */
const SIGNATURES: readonly { readonly wall: string; readonly pattern: RegExp }[] = [
  // Google reCAPTCHA v2: the widget container and the challenge iframe.
  { wall: 'recaptcha', pattern: /class=["'][^"']*\bg-recaptcha\b|recaptcha\/api2\/(?:anchor|bframe)/i },
  // hCaptcha: widget container and script host.
  { wall: 'hcaptcha', pattern: /class=["'][^"']*\bh-captcha\b|(?:js\.)?hcaptcha\.com\/1\/api\.js/i },
  // Cloudflare Turnstile widget.
  { wall: 'turnstile', pattern: /class=["'][^"']*\bcf-turnstile\b|challenges\.cloudflare\.com\/turnstile/i },
  // Cloudflare's managed / JS challenge and its "Attention Required" block page.
  {
    wall: 'cloudflare',
    pattern: /<title>\s*just a moment\.\.\.\s*<\/title>|\/cdn-cgi\/challenge-platform\/|window\._cf_chl_opt|id=["']challenge-form["']|attention required!\s*\|\s*cloudflare/i,
  },
  // DataDome serves its captcha from captcha-delivery.com.
  { wall: 'datadome', pattern: /(?:geo|ct)\.captcha-delivery\.com|datadome captcha/i },
  // PerimeterX / HUMAN "Press & Hold".
  { wall: 'perimeterx', pattern: /id=["']px-captcha["']|captcha\.px-cd[nx]\.net|window\._pxAppId/i },
  // Imperva (Incapsula) incident page.
  { wall: 'imperva', pattern: /_Incapsula_Resource|incapsula incident id/i },
  // Akamai's stock "Access Denied … Reference #" page.
  { wall: 'akamai', pattern: /you don't have permission to access[\s\S]{0,400}reference\s*#|errors\.edgesuite\.net/i },
  // AWS WAF CAPTCHA / challenge integration.
  { wall: 'aws-waf', pattern: /AwsWafIntegration|\.awswaf\.com\//i },
];

/** Plain-language robot checks of in-house walls ("access denied because you are using automation"). */
const INTERSTITIAL_TEXT =
  /verify (?:that )?you are (?:a )?human|are you a robot|not a robot|unusual (?:amount of )?traffic from your|automated (?:access|queries|requests|tools?|browsing)|using automation|pardon our interruption|(?:access|request)(?: to this page)? (?:was |has been |is )?(?:denied|blocked)|security check|please enable (?:javascript and )?cookies to continue/i;

/** The title of a page, when it has one. */
const TITLE = /<title[^>]*>([\s\S]{0,300}?)<\/title>/i;

/**
 * Walls are small pages: the robot-check texts are looked for in a page's body only when the
 * page is this short, so a long page that merely mentions "automated requests" in its terms is
 * not taken for one. Its title is always read.
 */
const INTERSTITIAL_MAX_CHARS = 32_768;

/** The wall `text` is, if it is one (see the module comment); undefined for any other page. */
export function recogniseWall(text: string): WallSighting | undefined {
  for (const { wall, pattern } of SIGNATURES) {
    const hit = pattern.exec(text);
    if (hit) return { wall, evidence: hit[0].slice(0, 80) };
  }
  const title = TITLE.exec(text.slice(0, INTERSTITIAL_MAX_CHARS))?.[1] ?? '';
  let hit = INTERSTITIAL_TEXT.exec(title);
  if (!hit && text.length <= INTERSTITIAL_MAX_CHARS) {
    hit = INTERSTITIAL_TEXT.exec(text.replaceAll(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>/gi, ' ').replaceAll(/<[^>]+>/g, ' '));
  }
  return hit ? { wall: 'interstitial', evidence: hit[0] } : undefined;
}

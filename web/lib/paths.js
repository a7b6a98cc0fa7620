// Same-origin paths: what a notification, a link or a login's next= may open.
// A classic script (no import/export) so the service worker can importScripts() it; the page
// imports it for its side effect and uses self.RapportPaths.
(function (scope) {
  'use strict';

  function parse(value, origin) {
    try {
      return new URL(String(value), origin);
    } catch {
      return null;
    }
  }

  // "/.//evil.example" parses to the path "//evil.example", which a later navigation would read
  // as another host: collapse the leading slashes, then check once more.
  function pathOf(url, origin, fallback) {
    const path = url.pathname.replace(/^\/{2,}/, '/') + url.search + url.hash;
    const again = parse(path, origin);
    return path.startsWith('/') && again && again.origin === origin ? path : fallback;
  }

  /**
   * The path, query and hash of value when it points at origin; fallback otherwise.
   * For a login's next= or a link: another host (however it is spelled) is refused.
   * @param {unknown} value
   * @param {string} origin e.g. location.origin
   * @param {string} [fallback]
   * @returns {string}
   */
  function sameOriginPath(value, origin, fallback = '/') {
    if (typeof value !== 'string' || !value) return fallback;
    const url = parse(value, origin);
    if (!url || url.origin !== origin) return fallback;
    return pathOf(url, origin, fallback);
  }

  /**
   * Any http(s) URL's path, query and hash, read on origin: a push built with another host or
   * port in its base URL still opens this app's screen, and never leaves this origin.
   * @param {unknown} value
   * @param {string} origin
   * @param {string} [fallback]
   * @returns {string}
   */
  function pathOnOrigin(value, origin, fallback = '/') {
    if (typeof value !== 'string' || !value) return fallback;
    const url = parse(value, origin);
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) return fallback;
    return pathOf(url, origin, fallback);
  }

  /**
   * A link the server built (with its configured base URL) as it reads on this origin — the
   * address the phone actually reached — plus its webcal:// twin for calendar apps.
   * @param {string} url
   * @param {string} origin
   * @returns {{url: string, webcal: string}}
   */
  function linkOnOrigin(url, origin) {
    const full = origin + pathOnOrigin(url, origin);
    return {url: full, webcal: full.replace(/^https?:/, 'webcal:')};
  }

  scope.RapportPaths = {sameOriginPath, pathOnOrigin, linkOnOrigin};
})(typeof self === 'undefined' ? globalThis : self);

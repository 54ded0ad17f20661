//! What every page shares: the visitor's language, the form token against cross-site requests, the signed-in
//! person, and the HTML around each page (large text, high contrast, no JavaScript, readable at 200 % zoom).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::WebState;
use super::i18n::{self, Lang};
use super::sign_ins::{SIGN_IN_COOKIE, SignedIn, random_token};

/// The cookie holding the form token; each form carries the same value in a hidden field.
pub const CSRF_COOKIE: &str = "hub_csrf";
const LANG_COOKIE: &str = "hub_lang";

/// The value of cookie `name` in the request, if any.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find_map(|(key, value)| (key == name).then_some(value))
}

/// This server's address as the browser reached it (`http://hub.local:8080`): the base of the links the pages hand
/// on (a display's QR code, a sign-up e-mail), so they work under whatever name the hub was opened by; `https`
/// behind a proxy that says so (`X-Forwarded-Proto`).
pub fn site_address(headers: &HeaderMap) -> String {
    let text = |name| headers.get(name).and_then(|value: &HeaderValue| value.to_str().ok());
    let scheme = if text("x-forwarded-proto") == Some("https") { "https" } else { "http" };
    format!("{scheme}://{}", text(header::HOST.as_str()).unwrap_or("localhost"))
}

/// A cookie only this site's own pages send back, invisible to scripts.
pub fn set_cookie(name: &str, value: &str, max_age_seconds: u64) -> (header::HeaderName, HeaderValue) {
    let cookie = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_seconds}");
    (header::SET_COOKIE, HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static("")))
}

/// Who is asking, in which language, with which form token: read from the request before the handler runs.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub lang: Lang,
    pub offered: Vec<Lang>,
    pub login: Option<SignedIn>,
    /// Who votes at an unconference from this browser: the pass they gave, else whoever signed in with a PIN.
    pub voter: Option<SignedIn>,
    csrf: String,
    new_csrf: bool,
    chose_lang: bool,
    /// The request named an `Origin` other than this server (a form posted from another site).
    foreign_origin: bool,
    path: String,
}

impl FromRequestParts<WebState> for Visitor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Visitor, Self::Rejection> {
        let headers = &parts.headers;
        let asked = parts
            .uri
            .query()
            .and_then(|query| query.split('&').find_map(|pair| pair.strip_prefix("lang=")))
            .and_then(Lang::from_code)
            .filter(|lang| state.languages.contains(lang));
        let remembered =
            cookie(headers, LANG_COOKIE).and_then(Lang::from_code).filter(|lang| state.languages.contains(lang));
        let accept = headers.get(header::ACCEPT_LANGUAGE).and_then(|value| value.to_str().ok());
        let lang = asked.or(remembered).unwrap_or_else(|| i18n::negotiate(accept, &state.languages));
        let existing = cookie(headers, CSRF_COOKIE).filter(|token| token.len() == 64).map(str::to_owned);
        let host = headers.get(header::HOST).and_then(|value| value.to_str().ok());
        let foreign_origin = match (headers.get(header::ORIGIN).and_then(|value| value.to_str().ok()), host) {
            (Some("null"), _) => true,
            (Some(origin), Some(host)) => origin.split_once("://").map(|(_, rest)| rest) != Some(host),
            _ => false,
        };
        let login = cookie(headers, SIGN_IN_COOKIE).and_then(|token| state.sign_ins.get(token));
        let voter = cookie(headers, crate::unconference::VOTER_COOKIE)
            .and_then(|token| state.voters.get(token))
            .or_else(|| login.clone());
        Ok(Visitor {
            lang,
            offered: state.languages.clone(),
            login,
            voter,
            new_csrf: existing.is_none(),
            csrf: existing.unwrap_or_else(random_token),
            chose_lang: asked.is_some(),
            foreign_origin,
            path: parts.uri.path().to_owned(),
        })
    }
}

/// A posted form: its token (checked with [`Visitor::check_form`]) and its own fields. Fields arrive as text
/// through the flattening, so numbers in `T` are parsed by hand.
#[derive(Debug, serde::Deserialize)]
pub struct Posted<T> {
    #[serde(default)]
    pub csrf: String,
    #[serde(flatten)]
    pub fields: T,
}

/// A pass as a QR code on a page. The qrcode crate draws it from the pass's own text, which appears only in its
/// squares, so its markup can go in unescaped.
pub fn pass_qr(lang: Lang, pass: &str) -> Markup {
    let qr = kiosk_runtime::qr::pass_svg(pass).unwrap_or_default();
    html! { div.qr role="img" aria-label=(lang.tr("Your pass as a QR code")) { (PreEscaped(qr)) } }
}

/// What a refused form looks like.
pub fn forbidden(lang: Lang) -> Response {
    let page = html! {
        (DOCTYPE)
        html lang=(lang.0) {
            meta charset="utf-8";
            title { (lang.tr("This form cannot be used")) }
            p {
                (lang.tr("This form has expired or was sent from another website. Please go back, reload the page and try again."))
            }
            p { a href="/" { (lang.tr("Back to today at the hub")) } }
        }
    };
    (StatusCode::FORBIDDEN, page).into_response()
}

impl Visitor {
    /// The same visitor, voting as `voter` from now on (they have just said who they are, or that they are not).
    pub fn voting_as(self, voter: Option<SignedIn>) -> Visitor {
        Visitor { voter, ..self }
    }

    /// The hidden field every form carries.
    pub fn csrf_field(&self) -> Markup {
        html! { input type="hidden" name="csrf" value=(self.csrf); }
    }

    /// Whether a posted form is this site's own: it carries the token from this visitor's cookie and, if the
    /// browser says where it came from, it came from here. `SameSite=Strict` means another site's form arrives
    /// without the cookie.
    pub fn check_form(&self, token: &str) -> Result<(), Response> {
        if self.new_csrf || self.foreign_origin || token != self.csrf {
            return Err(forbidden(self.lang));
        }
        Ok(())
    }

    /// `body` as a whole page titled `title`, with the cookies this visit needs.
    pub fn page(&self, status: StatusCode, title: &str, body: Markup) -> Response {
        let lang = self.lang;
        let html = html! {
            (DOCTYPE)
            html lang=(lang.0) {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    title { (title) }
                    style { (PreEscaped(STYLE)) }
                }
                body {
                    a.skip href="#main" { (lang.tr("Skip to the main content")) }
                    header {
                        nav aria-label=(lang.tr("Language")) {
                            @if self.offered.len() > 1 {
                                @for other in &self.offered {
                                    @let name = kiosk_runtime::languages::native_name(other.0);
                                    @if *other == lang {
                                        span aria-current="true" { (name) }
                                    } @else {
                                        a href={ (self.path) "?lang=" (other.0) } lang=(other.0) hreflang=(other.0) { (name) }
                                    }
                                    " "
                                }
                            }
                        }
                        @if let Some(login) = &self.login {
                            form.signed-in method="post" action="/logout" {
                                (self.csrf_field())
                                span { (lang.trf("Signed in as {}", &[&login.name])) }
                                " "
                                button type="submit" { (lang.tr("Sign out")) }
                            }
                        }
                    }
                    main #main { (body) }
                }
            }
        };
        let mut response = (status, html).into_response();
        let headers = response.headers_mut();
        if self.new_csrf {
            let (name, value) = set_cookie(CSRF_COOKIE, &self.csrf, 12 * 3600);
            headers.append(name, value);
        }
        if self.chose_lang {
            let (name, value) = set_cookie(LANG_COOKIE, lang.0, 365 * 24 * 3600);
            headers.append(name, value);
        }
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }
}

/// One style sheet for every page: system fonts, 1.2 rem text, dark on cream (contrast above 12:1), big targets,
/// a visible focus ring, and a print layout for the roll-call.
const STYLE: &str = "
body { font-family: system-ui, sans-serif; font-size: 1.2rem; line-height: 1.5; max-width: 44rem; margin: 0 auto;
       padding: 1rem; color: #1b1b1f; background: #f4f1ea; }
h1 { font-size: 1.7rem; } h2 { font-size: 1.35rem; margin-top: 1.6rem; }
a { color: #0b4f8a; } a:focus, button:focus, input:focus, select:focus, textarea:focus { outline: 3px solid #c75b00; outline-offset: 2px; }
.skip { position: absolute; left: -100rem; } .skip:focus { position: static; }
header { display: flex; flex-wrap: wrap; gap: 1rem; justify-content: space-between; align-items: center; }
header nav span[aria-current] { font-weight: 700; }
.free { color: #1e6b45; font-weight: 700; } .busy, .error, .cancelled { color: #9a2a1f; font-weight: 700; }
.error { border: 3px solid #9a2a1f; padding: 0.5rem 1rem; background: #fff; }
.done { border: 3px solid #1e6b45; padding: 0.5rem 1rem; background: #fff; }
li { margin: 0.4rem 0; }
label { display: block; font-weight: 700; margin-top: 1rem; }
.hint { display: block; font-weight: 400; font-size: 1rem; }
.address { overflow-wrap: anywhere; font-size: 1rem; }
input, select, textarea, button { font: inherit; padding: 0.6rem; border: 2px solid #1b1b1f; border-radius: 6px; }
input[type=text], input[type=email], input[type=password], input[type=date], input[type=time], input[type=number],
select, textarea { width: 100%; box-sizing: border-box; background: #fff; }
input[type=radio], input[type=checkbox] { width: 1.6rem; height: 1.6rem; vertical-align: middle; }
label.agree { font-weight: 400; }
fieldset { border: 2px solid #1b1b1f; border-radius: 6px; margin-top: 1rem; }
fieldset label { font-weight: 400; margin: 0.5rem 0; }
button { background: #0b4f8a; color: #fff; border-color: #0b4f8a; min-height: 3rem; margin-top: 1rem; cursor: pointer; }
button.danger { background: #9a2a1f; border-color: #9a2a1f; }
.signed-in button { margin: 0; min-height: 2.5rem; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: 0.4rem; border-bottom: 1px solid #888; }
.qr svg { width: 16rem; height: 16rem; background: #fff; }
.tick { display: inline-block; width: 1.4rem; height: 1.4rem; border: 2px solid #1b1b1f; }
.code { font-family: monospace; font-size: 0.9rem; word-break: break-all; }
.cells { list-style: none; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr)); gap: 0.5rem; }
.cells li { margin: 0; padding: 0.5rem; background: #fff; border-left: 0.5rem solid #1e6b45; overflow-wrap: anywhere; }
.cells li.taken { border-color: #0b4f8a; } .cells .room { display: block; font-size: 1rem; } .cells strong { display: block; }
.by { font-size: 1rem; } .proposals li { margin: 0.8rem 0; overflow-wrap: anywhere; }
form.inline { display: inline; } form.inline button { margin: 0 0 0 0.5rem; min-height: 2.75rem; }
details { margin-top: 0.5rem; } summary { cursor: pointer; min-height: 2.75rem; line-height: 2.75rem; }
@media print { header, form, .noprint { display: none; } body { background: #fff; max-width: none; font-size: 12pt; } }
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_use_the_address_the_browser_reached_and_https_behind_a_proxy() {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static("hub.local:8080"));
        assert_eq!(site_address(&headers), "http://hub.local:8080");
        headers.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        assert_eq!(site_address(&headers), "https://hub.local:8080");
    }

    #[test]
    fn cookies_are_read_by_name() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("a=1; hub_csrf=xyz; b=2"));
        assert_eq!(cookie(&headers, CSRF_COOKIE), Some("xyz"));
        assert_eq!(cookie(&headers, "hub"), None);
    }
}

// Sign up (welcome) and log in.
import {h, field, showErrors} from '../lib/dom.js';
import {api, ApiError} from '../lib/api.js';
import '../lib/paths.js';

// Where to go after signing in: only a screen of this app (see lib/paths.js for the rule).
function nextPath(query) {
  return self.RapportPaths.sameOriginPath(query.get('next') || '/', location.origin);
}

function formError(form, err) {
  const out = form.querySelector('.form-error');
  const fieldErrors = err instanceof ApiError && err.errors && showErrors(form, err.errors);
  out.textContent = fieldErrors ? 'Please check the highlighted fields.' : (err.message || 'Something went wrong.');
  out.hidden = false;
}

function brand() {
  return h('div', {class: 'brand'}, h('img', {src: '/icons/icon-192.png', alt: '', width: 64, height: 64}));
}

function tagline() {
  return h('p', {class: 'tagline'}, 'Give first. Keep in touch. Never lose a thread.');
}

/** Log in with e-mail and password. */
export async function mountLogin(view, {query, app}) {
  const email = h('input', {type: 'email', name: 'email', autocomplete: 'username', required: true, inputmode: 'email'});
  const password = h('input', {type: 'password', name: 'password', autocomplete: 'current-password', required: true});
  const remember = h('input', {type: 'checkbox', name: 'remember', id: 'remember', checked: true});
  const submit = h('button', {type: 'submit', class: 'button primary block'}, 'Log in');
  const form = h('form', {class: 'auth-form', novalidate: true},
    h('p', {class: 'form-error', role: 'alert', hidden: true}),
    field('E-mail', email), field('Password', password),
    h('div', {class: 'check'}, remember, h('label', {for: 'remember'}, 'Keep me logged in on this device')),
    submit);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    try {
      await api.post('/api/auth/login', {email: email.value.trim(), password: password.value, remember: remember.checked});
      app.signedIn(await api.get('/api/auth/me'));
      app.navigate(nextPath(query), {replace: true});
    } catch (err) {
      formError(form, err);
    } finally {
      submit.disabled = false;
    }
  });
  view.append(h('div', {class: 'auth'}, brand(), h('h1', null, 'Welcome back'), tagline(), form,
    h('p', {class: 'alt'}, 'New here? ', h('a', {href: `/welcome${location.search}`}, 'Create an account'))));
}

/** Create an account; the time zone comes from the phone. */
export async function mountWelcome(view, {query, app}) {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  const name = h('input', {type: 'text', name: 'name', autocomplete: 'name'});
  const email = h('input', {type: 'email', name: 'email', autocomplete: 'username', required: true, inputmode: 'email'});
  const password = h('input', {type: 'password', name: 'password', autocomplete: 'new-password', required: true, minlength: 8});
  const submit = h('button', {type: 'submit', class: 'button primary block'}, 'Create account');
  const form = h('form', {class: 'auth-form', novalidate: true},
    h('p', {class: 'form-error', role: 'alert', hidden: true}),
    field('Your name', name), field('E-mail', email),
    field('Password', password, 'At least 8 characters. A short sentence works well.'),
    h('p', {class: 'hint'}, `Time zone: ${zone} (change it later in Settings).`),
    submit);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    try {
      await api.post('/api/auth/register', {email: email.value.trim(), password: password.value, name: name.value.trim() || undefined, timezone: zone});
      app.signedIn(await api.get('/api/auth/me'));
      app.navigate(nextPath(query), {replace: true});
    } catch (err) {
      formError(form, err);
    } finally {
      submit.disabled = false;
    }
  });
  view.append(h('div', {class: 'auth'}, brand(), h('h1', null, 'Rapport'), tagline(),
    h('p', {class: 'lede'}, 'A few taps after each meeting: what you gave, what you got. Rapport reminds you who to call, whose birthday is coming, and whom you owe.'),
    form,
    h('p', {class: 'alt'}, 'Already have an account? ', h('a', {href: `/login${location.search}`}, 'Log in'))));
}

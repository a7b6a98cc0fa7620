// Set a new password from a one-time link an operator printed with `rapport reset-password`.
import {h, field, showErrors} from '../lib/dom.js';
import {api, ApiError} from '../lib/api.js';

/** The reset screen: /reset?token=… */
export async function mountReset(view, {query, app}) {
  const token = query.get('token') || '';
  const password = h('input', {type: 'password', name: 'password', autocomplete: 'new-password', required: true, minlength: 8});
  const submit = h('button', {type: 'submit', class: 'button primary block'}, 'Set new password');
  const error = h('p', {class: 'form-error', role: 'alert', hidden: Boolean(token)}, token ? '' : 'This link is incomplete. Ask for a new one.');
  const form = h('form', {class: 'auth-form', novalidate: true},
    error,
    field('New password', password, 'At least 8 characters. Every device you were signed in on is signed out.'),
    submit);
  submit.disabled = !token;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    try {
      await api.post('/api/auth/reset', {token, password: password.value});
      app.signedIn(await api.get('/api/auth/me'));
      app.toast('Your password is changed.');
      app.navigate('/', {replace: true});
    } catch (err) {
      const fieldErrors = err instanceof ApiError && err.errors && showErrors(form, err.errors);
      error.textContent = fieldErrors ? 'Please check the highlighted field.' : (err.message || 'Something went wrong.');
      error.hidden = false;
      submit.disabled = false;
    }
  });
  view.append(h('div', {class: 'auth'},
    h('div', {class: 'brand'}, h('img', {src: '/icons/icon-192.png', alt: '', width: 64, height: 64})),
    h('h1', null, 'Choose a new password'), form,
    h('p', {class: 'alt'}, h('a', {href: '/login'}, 'Back to log in'))));
}

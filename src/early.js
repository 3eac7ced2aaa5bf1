// Early interactions: what the user does between first paint and hydration is kept and handed to
// the WASM bundle, which replays it after hydrating (src/hydration.rs, ARCHITECTURE.md).
// Inlined in <head> with the page's CSP nonce. Whole-line comments and indentation are stripped
// when it is inlined, so keep every comment on a line of its own.
(function () {
'use strict';
// Clicks older than this when hydration finishes are dropped.
var STALE_MS = 10000;
// A queued submit is sent natively when hydration has not finished this long after it.
var DEADLINE_MS = 4000;
// A second click on the same control within this time is a duplicate.
var DOUBLE_MS = 600;
var root = document.documentElement;
// capturing → hydrated, or capturing → native (the WASM failed or was too slow: the page works
// as without JavaScript from then on). Listeners act only while capturing.
var state = 'capturing';
var clicks = [], submits = [], dirty = [], dropped = 0, timer = 0, saved = null;
root.classList.add('js');
// Errors travel from a form post to its page on the server, never in the URL: parameters that
// claim to carry one (a crafted link) are dropped from the address bar.
try {
var here = new URL(location.href);
if (here.searchParams.has('__err') || here.searchParams.has('__path')) {
here.searchParams.delete('__err');
here.searchParams.delete('__path');
history.replaceState(history.state, '', here.pathname + here.search + here.hash);
}
} catch (e) {}

function now() { return Math.round(performance.now()); }
function optedOut(el) { return el.closest('[data-no-replay]'); }
function pend(el) {
if (!el.hasAttribute('aria-busy')) { el.setAttribute('aria-busy', 'true'); el.__early = 1; }
}
function settle(el) {
if (el.__early) { el.removeAttribute('aria-busy'); delete el.__early; }
}
function caret(el) {
try { return el.selectionStart == null ? null : [el.selectionStart, el.selectionEnd, el.selectionDirection]; } catch (e) { return null; }
}
function listen(type, handler) { document.addEventListener(type, handler, true); }

// Clicks on controls with behaviour (plain links are the browser's; a submit button's click
// becomes its form's submit event, queued below).
listen('click', function (e) {
if (state !== 'capturing' || !e.target.closest) return;
var el = e.target.closest('a[href],button,input[type=button],[role=button],[data-replay]');
if (!el || el.matches('a[href]') || el.disabled || optedOut(el) || (el.form && el.type === 'submit')) return;
e.preventDefault();
var last = clicks[clicks.length - 1];
if (last && last.el === el && now() - last.t < DOUBLE_MS) { dropped++; return; }
clicks.push({ el: el, t: now() });
pend(el);
});

// Submits of forms in islands: held, with a snapshot of the data and the submitter; one at a
// time per page. A form outside the islands has no handler to wait for: it posts at once.
listen('submit', function (e) {
var form = e.target;
if (state !== 'capturing' || optedOut(form) || !form.closest('leptos-island')) return;
e.preventDefault();
if (submits.length) { dropped++; return; }
submits.push({ form: form, submitter: e.submitter, data: Array.from(new FormData(form, e.submitter)), t: now() });
pend(form);
form.inert = true;
timer = setTimeout(native, DEADLINE_MS);
});

// Typing happens freely; the fields touched are remembered so the app hears about them.
function touched(e) {
if (state === 'capturing' && 'value' in e.target && dirty.indexOf(e.target) < 0) dirty.push(e.target);
}
listen('input', touched);
listen('change', touched);

// The WASM failed (its fetch, compilation or hydration threw): from now on the page works as it
// does without JavaScript, and a held submit is sent natively.
addEventListener('unhandledrejection', function () { if (state === 'capturing') native(); });

function native() {
if (state !== 'capturing') return;
state = 'native';
clicks.forEach(function (c) { settle(c.el); });
submits.forEach(function (s) {
settle(s.form);
s.form.inert = false;
s.form.requestSubmit(s.submitter && s.submitter.isConnected ? s.submitter : null);
});
}

function restore(form, data) {
data.forEach(function (entry) {
var el = form.elements.namedItem(entry[0]);
if (el && el.type !== 'file' && typeof entry[1] === 'string' && 'value' in el && el.value !== entry[1] && !el.length) el.value = entry[1];
});
}

function mark(replayed) {
root.setAttribute('data-hydrated', '');
root.setAttribute('data-hydration-ms', now());
root.setAttribute('data-replayed', replayed);
root.setAttribute('data-dropped', dropped);
performance.mark('clientele:hydrated', { detail: { replayed: replayed, dropped: dropped } });
}

window.clienteleEarly = {
// Called by the WASM just before hydrating: the state that hydration must not lose.
snap: function () {
var a = document.activeElement;
saved = {
focus: a, caret: a && caret(a), x: scrollX, y: scrollY,
fields: dirty.map(function (el) {
return { el: el, value: el.value, checked: el.checked, options: el.options && Array.from(el.options, function (o) { return o.selected; }) };
})
};
},
// Called by the WASM once hydrated: typed state, then clicks, then the held submit, in order.
replay: function () {
if (state !== 'capturing') { mark(0); return; }
state = 'hydrated';
clearTimeout(timer);
var s = saved || { fields: [] }, replayed = 0, t = now();
s.fields.forEach(function (f) {
var el = f.el;
if (!el.isConnected) return;
if (el.value !== f.value && !f.options) el.value = f.value;
if (el.checked !== f.checked) el.checked = f.checked;
if (f.options) Array.from(el.options).forEach(function (o, i) { o.selected = f.options[i]; });
el.dispatchEvent(new Event('input', { bubbles: true }));
el.dispatchEvent(new Event('change', { bubbles: true }));
replayed++;
});
if (s.focus && s.focus.isConnected && s.focus !== document.activeElement) s.focus.focus({ preventScroll: true });
if (s.caret && s.focus === document.activeElement) {
try { s.focus.setSelectionRange(s.caret[0], s.caret[1], s.caret[2]); } catch (e) { }
}
if (s.x !== undefined && (scrollX !== s.x || scrollY !== s.y)) scrollTo(s.x, s.y);
clicks.forEach(function (c) {
settle(c.el);
if (t - c.t > STALE_MS || !c.el.isConnected) { dropped++; return; }
c.el.click();
replayed++;
});
submits.forEach(function (q) {
settle(q.form);
q.form.inert = false;
if (!q.form.isConnected) { dropped++; return; }
restore(q.form, q.data);
if (q.submitter && q.submitter.isConnected) q.submitter.click(); else q.form.requestSubmit();
replayed++;
});
mark(replayed);
}
};
})();

// nav.js: in-app navigation, shared by the screens without importing the
// entry module. app.js installs the router.

let router = () => {};

export function setRouter(fn) {
  router = fn;
}

// go shows path without a network round trip (the shell is already here).
export function go(path, replace) {
  if (replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  window.scrollTo(0, 0);
  router();
}

// The honour page's share buttons: the phone's own share sheet (Zalo, Messenger, …) where
// the browser has one, and copying the link. Without this script the plain link and the
// Facebook share address still work; no script of another site is ever loaded.
'use strict';
(() => {
  const share = document.getElementById('share');
  const copy = document.getElementById('copy');
  if (!copy) return;
  const link = copy.dataset.link;
  if (navigator.share && share) {
    share.hidden = false;
    share.addEventListener('click', () => {
      navigator.share({title: document.title, url: link}).catch(() => {});
    });
  }
  if (navigator.clipboard) {
    copy.hidden = false;
    copy.addEventListener('click', () => {
      navigator.clipboard.writeText(link).then(() => { copy.textContent = copy.dataset.done; });
    });
  }
})();

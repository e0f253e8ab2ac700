// news-home.js: the three newest news items on the home page, with a link
// to the news page; the section stays hidden when there are none.
import { api } from './api.js';
import { newsItem } from './news.js';

async function run() {
  const section = document.getElementById('home-news');
  if (!section) return;
  try {
    const page = await api('GET', '/api/v1/news?limit=3');
    if (!page.items.length) return;
    document.getElementById('home-news-list').replaceChildren(...page.items.map((n) => newsItem(n, 'h3')));
    section.hidden = false;
  } catch {
    // the news are extra: the home page works without them
  }
}

run();

/* The site search: a small prebuilt index of both languages' pages (make site-index), ranked
   in the page; at equal rank, the pages in the page's own language come first. */

import { WORDS, fill, pageLanguage } from "./words.js";

/** Lower case without accents: "información" and "informacion" find the same pages. */
function fold(text) { return text.normalize("NFD").replace(/\p{Mn}/gu, "").toLowerCase(); }

/** The pages matching `query`, best first (a word in the title counts five times); at equal
    score, those in `language` first. */
export function rank(pages, query, language) {
  const words = fold(query).split(/\s+/).filter(Boolean);
  return pages.map(function (page) {
    const text = fold(page.title + " " + page.headings.join(" ") + " " + page.text);
    const title = fold(page.title);
    let score = 0;
    words.forEach(function (w) {
      if (title.indexOf(w) >= 0) { score += 5; }
      if (text.indexOf(w) >= 0) { score += 1; }
    });
    return { page: page, score: score };
  }).filter((h) => h.score > 0).sort(function (a, b) {
    const own = (b.page.lang === language) - (a.page.lang === language);
    return b.score - a.score || own;
  }).map((h) => h.page);
}

export function initSearch(results) {
  const language = pageLanguage(document);
  const words = WORDS[language];
  const query = (new URLSearchParams(window.location.search).get("q") || "").trim();
  const input = document.getElementById("site-search");
  const status = document.getElementById("search-status");
  if (input) { input.value = query; }
  if (!query) { return; }
  fetch("/assets/search-index.json", { cache: "no-cache" }).then((r) => r.json())
    .then(function (pages) {
      const hits = rank(pages, query, language);
      results.textContent = "";
      hits.forEach(function (page) {
        const li = document.createElement("li");
        const a = document.createElement("a");
        a.href = page.url;
        a.textContent = page.title;
        const p = document.createElement("p");
        p.textContent = page.summary;
        li.appendChild(a);
        li.appendChild(p);
        results.appendChild(li);
      });
      const said = hits.length === 0 ? words.search_none
        : hits.length === 1 ? words.search_one : words.search_many;
      status.textContent = fill(said, { n: hits.length, q: query });
    }, function () {
      status.textContent = words.search_unavailable;
    });
}

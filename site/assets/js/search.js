/* The site search: a small prebuilt index (make site-index), ranked in the page. */

/** The pages matching `query`, best first (a word in the title counts five times). */
export function rank(pages, query) {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return pages.map(function (page) {
    const text = (page.title + " " + page.headings.join(" ") + " " + page.text).toLowerCase();
    let score = 0;
    words.forEach(function (w) {
      if (page.title.toLowerCase().indexOf(w) >= 0) { score += 5; }
      if (text.indexOf(w) >= 0) { score += 1; }
    });
    return { page: page, score: score };
  }).filter((h) => h.score > 0).sort((a, b) => b.score - a.score).map((h) => h.page);
}

export function initSearch(results) {
  const query = (new URLSearchParams(window.location.search).get("q") || "").trim();
  const input = document.getElementById("site-search");
  const status = document.getElementById("search-status");
  if (input) { input.value = query; }
  if (!query) { return; }
  fetch("/assets/search-index.json", { cache: "no-cache" }).then((r) => r.json())
    .then(function (pages) {
      const hits = rank(pages, query);
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
      status.textContent = hits.length
        ? hits.length + (hits.length === 1 ? " page matches " : " pages match ") + "\u201c" + query + "\u201d."
        : "No page matches \u201c" + query + "\u201d. Try another word, or read the article.";
    }, function () {
      status.textContent = "Search is not available right now. Choose a page below.";
    });
}

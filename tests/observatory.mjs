// The MDN HTTP Observatory's scan of one page, graded by its own code, printed as JSON:
//   node tests/observatory.mjs HOSTNAME HTTP_PORT HTTPS_PORT PATH
// The package's scan(hostname) asks only ports 80 and 443 and the path "/"; its retriever takes ports and
// a path, so this is scan() (src/scanner/index.js, 1.4.8) with those passed on: the same retrieval, the
// same ALL_TESTS and the same grading. tests/reviewblog/test_observatory.py runs it.
import { existsSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);
const root = path.dirname(require.resolve("@mdn/mdn-http-observatory/package.json"));

// The package's postinstall downloads Chromium's HSTS preload list into conf/hsts-preload.json, which
// its HSTS and redirection tests read. tests/.npmrc turns install scripts off (no internet in CI, and its
// pg-native needs a compiler), so without a downloaded list an empty one stands in: no hostname counts
// as preloaded, which is the truth for localhost, and a preloaded name would only gain points.
const preloadList = path.join(root, "conf", "hsts-preload.json");
const preloadListWasDownloaded = existsSync(preloadList);
if (!preloadListWasDownloaded) {
  writeFileSync(preloadList, "{}\n");
}

const { retrieve } = await import(`${root}/src/retriever/retriever.js`);
const { ALL_TESTS, NUM_TESTS, ALGORITHM_VERSION } = await import(`${root}/src/constants.js`);
const { MINIMUM_SCORE_FOR_EXTRA_CREDIT } = await import(`${root}/src/grader/charts.js`);
const { getGradeForScore, getScoreModifier } = await import(`${root}/src/grader/grader.js`);

const [hostname, httpPort, httpsPort, pagePath] = process.argv.slice(2);
const r = await retrieve(hostname, { httpPort, httpsPort, path: pagePath });
if (!r.responses.auto) {
  throw new Error("The site seems to be down.");
}
const { status } = r.responses.auto;
if (status < 200 || (status >= 400 && ![401, 403].includes(status))) {
  throw new Error(`Site did respond with an unexpected HTTP status code ${status}.`);
}

let testsPassed = 0;
let scoreWithExtraCredit = 100;
let uncurvedScore = scoreWithExtraCredit;
const tests = {};
for (const test of ALL_TESTS) {
  const result = test(r);
  const modifier = result.result ? getScoreModifier(result.result) : 0;
  testsPassed += result.result && result.pass ? 1 : 0;
  scoreWithExtraCredit += modifier;
  if (modifier < 0) {
    uncurvedScore += modifier;
  }
  tests[result.constructor.name] = { result: result.result, pass: result.pass, scoreModifier: modifier };
}
const score = uncurvedScore >= MINIMUM_SCORE_FOR_EXTRA_CREDIT ? scoreWithExtraCredit : uncurvedScore;
const final = getGradeForScore(score);

console.log(
  JSON.stringify({
    algorithmVersion: ALGORITHM_VERSION,
    grade: final.grade,
    score: final.score,
    statusCode: status,
    testsPassed,
    testsQuantity: NUM_TESTS,
    preloadListWasDownloaded,
    url: r.session.url.href,
    responseHeaders: r.responses.auto.headers,
    tests,
  })
);

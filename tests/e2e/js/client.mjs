// Drives the @xapi/xapi client from npm, unchanged and through its public API only, against a running LRS.
//
// Environment: LRS_ENDPOINT (the xAPI base, e.g. http://127.0.0.1:8000/xapi/), LRS_KEY, LRS_SECRET, and optionally
// XAPI_RUNS ("version:adapter" pairs, comma separated; default "1.0.3:axios,1.0.3:fetch,2.0.0:axios").
// Prints one JSON summary on stdout. Exits 1 at the first mismatch (the message names the step, what was expected
// and what came back), 2 on bad usage.
//
// Notes on the library (version 3.0.3, the newest on the registry when this was written):
// - Its TypeScript `Versions` type lists "1.0.0".."1.0.3" only; the constructor copies `version` into the
//   X-Experience-API-Version header without checking it, so "2.0.0" runs send a 2.0 header with the library's
//   1.0.3-era request shapes. That is a real client's traffic, but not a version the library advertises.
// - The "fetch" adapter turns every non-2xx answer into `new Error(bodyText)` without the status, so the
//   expected-failure checks can only assert the status on the axios adapter; on fetch they assert the rejection
//   and record the body.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { isDeepStrictEqual } from "node:util";
import XAPI from "@xapi/xapi";

const VOIDED = "http://adlnet.gov/expapi/verbs/voided";
const COMPLETED = { id: "http://adlnet.gov/expapi/verbs/completed", display: { "en-US": "completed" } };
const ATTEMPTED = { id: "http://adlnet.gov/expapi/verbs/attempted", display: { "en-US": "attempted" } };

class Mismatch extends Error {}

function check(cond, step, message, detail) {
  if (!cond) {
    const extra = detail === undefined ? "" : ` (got ${JSON.stringify(detail)})`;
    throw new Mismatch(`${step}: ${message}${extra}`);
  }
}

/** Runs one library call; a rejection becomes a Mismatch naming the step, the status and the LRS's answer. */
async function call(step, promise) {
  try {
    return await promise;
  } catch (err) {
    throw new Mismatch(`${step}: the request failed: ${describeError(err)}`);
  }
}

function describeError(err) {
  if (err && err.response) {
    return `HTTP ${err.response.status} ${JSON.stringify(err.response.data)}`;
  }
  return String(err && err.message ? err.message : err);
}

/** Expects the call to be refused; on the axios adapter the status must be `status`. Returns what was seen. */
async function expectRefused(step, promise, status, adapter) {
  let res;
  try {
    res = await promise;
  } catch (err) {
    if (adapter === "axios") {
      const got = err && err.response ? err.response.status : undefined;
      check(got === status, step, `expected HTTP ${status}`, got === undefined ? String(err) : got);
      return { status: got };
    }
    return { status: null, body: String(err && err.message ? err.message : err).slice(0, 200) };
  }
  throw new Mismatch(`${step}: expected HTTP ${status}, the LRS answered ${res.status} ${JSON.stringify(res.data)}`);
}

function header(res, name) {
  return res.headers[name.toLowerCase()] ?? res.headers[name];
}

function statement(email, activityId, registration, verb = COMPLETED) {
  return {
    actor: { objectType: "Agent", name: "Pat Teacher", mbox: `mailto:${email}` },
    verb,
    object: {
      objectType: "Activity",
      id: activityId,
      definition: {
        name: { "en-US": "Formative assessment workshop" },
        type: "http://adlnet.gov/expapi/activities/meeting",
      },
    },
    result: { completion: true, success: true, duration: "PT1H30M", score: { scaled: 0.9 } },
    context: { registration, platform: "@xapi/xapi e2e" },
  };
}

async function runOnce(endpoint, auth, version, adapter) {
  const xapi = new XAPI({ endpoint, auth, version, adapter });
  const tag = randomUUID().slice(0, 8);
  const email = `js-${tag}@district.example`;
  const agent = { objectType: "Agent", mbox: `mailto:${email}` };
  const activityId = `https://district.example/pd/js/${randomUUID()}`;
  const registration = randomUUID();
  const out = { version, adapter };

  // About: the run's version must be listed, and every response carries the negotiated version header.
  // (About lists the latest patch of each major version, so any 1.0.x client looks for 1.0.3.)
  const listed = version.startsWith("1.0") ? "1.0.3" : version;
  const about = await call("about", xapi.getAbout());
  check(Array.isArray(about.data.version) && about.data.version.includes(listed), "about",
    `version list should include ${listed}`, about.data);
  out.about_versions = about.data.version;

  // One statement, then a batch of three (the LRS assigns the ids).
  const one = await call("send statement",
    xapi.sendStatement({ statement: statement(email, activityId, registration) }));
  check(Array.isArray(one.data) && one.data.length === 1, "send statement", "expected one id back", one.data);
  const firstId = one.data[0];
  check(header(one, "X-Experience-API-Version") === version, "send statement",
    `response X-Experience-API-Version should be ${version}`, header(one, "X-Experience-API-Version"));

  const batch = await call("send batch", xapi.sendStatements({
    statements: [0, 1, 2].map(() => statement(email, activityId, registration, ATTEMPTED)),
  }));
  check(Array.isArray(batch.data) && batch.data.length === 3 && new Set(batch.data).size === 3, "send batch",
    "expected three distinct ids back", batch.data);
  const batchIds = batch.data;

  // Read the first one back by id and compare the fields we sent and the ones the LRS must add.
  const got = await call("get statement", xapi.getStatement({ statementId: firstId }));
  const s = got.data;
  check(s.id === firstId, "get statement", `id should be ${firstId}`, s.id);
  check(s.actor && s.actor.mbox === `mailto:${email}`, "get statement", "actor.mbox differs", s.actor);
  check(s.verb && s.verb.id === COMPLETED.id, "get statement", "verb.id differs", s.verb);
  check(s.object && s.object.id === activityId, "get statement", "object.id differs", s.object);
  check(s.result && s.result.duration === "PT1H30M", "get statement", "result.duration should be PT1H30M", s.result);
  check(s.result.completion === true && s.result.score && s.result.score.scaled === 0.9, "get statement",
    "result differs", s.result);
  check(s.context && s.context.registration === registration, "get statement",
    `context.registration should be ${registration}`, s.context);
  check(typeof s.stored === "string" && typeof s.timestamp === "string", "get statement",
    "stored and timestamp should be set by the LRS", { stored: s.stored, timestamp: s.timestamp });
  check(s.authority && typeof s.authority === "object", "get statement", "authority should be set", s.authority);
  check(typeof s.version === "string", "get statement", "version should be set by the LRS", s.version);
  out.statement = { id: firstId, stored: s.stored, version: s.version, authority: s.authority,
    last_modified: header(got, "Last-Modified") ?? null };

  // Query by agent + activity, two at a time, following `more` with the library's own getMoreStatements.
  const sent = [firstId, ...batchIds];
  const pages = [];
  let page = await call("query statements",
    xapi.getStatements({ agent, activity: activityId, limit: 2 }));
  for (;;) {
    check(Array.isArray(page.data.statements), "query statements", "statements should be an array", page.data);
    check(page.data.statements.length <= 2, "query statements", "limit 2 was not honoured",
      page.data.statements.length);
    pages.push(page.data.statements.map((x) => x.id));
    if (!page.data.more) break;
    check(pages.length < 10, "query statements", "`more` keeps coming back", page.data.more);
    const more = page.data.more;
    page = await call(`follow more (${more})`, xapi.getMoreStatements({ more }));
  }
  const seen = pages.flat();
  check(pages[0].length === 2 && pages.length >= 2, "query statements",
    "first page should hold 2 statements and point to more", pages);
  check(seen.length === 4 && isDeepStrictEqual(new Set(seen), new Set(sent)), "query statements",
    `should return exactly the 4 sent statements ${JSON.stringify(sent)}`, pages);
  out.query_pages = pages.map((p) => p.length);

  // Void the first statement: gone from statementId, reachable by voidedStatementId, absent from queries.
  const voiding = await call("void statement", xapi.voidStatement({ actor: agent, statementId: firstId }));
  check(Array.isArray(voiding.data) && voiding.data.length === 1, "void statement", "expected one id back",
    voiding.data);
  const voidingId = voiding.data[0];
  const goneProbe = await expectRefused("get voided statement by statementId",
    xapi.getStatement({ statementId: firstId }), 404, adapter);
  const voided = await call("get by voidedStatementId", xapi.getVoidedStatement({ voidedStatementId: firstId }));
  check(voided.data.id === firstId, "get by voidedStatementId", `id should be ${firstId}`, voided.data.id);
  const voidingGot = await call("get voiding statement", xapi.getStatement({ statementId: voidingId }));
  check(voidingGot.data.verb.id === VOIDED && voidingGot.data.object.objectType === "StatementRef"
    && voidingGot.data.object.id === firstId, "get voiding statement", "should be a voided verb on a StatementRef",
    voidingGot.data);
  const after = await call("query after voiding", xapi.getStatements({ agent, activity: activityId }));
  const afterIds = after.data.statements.map((x) => x.id);
  check(!afterIds.includes(firstId), "query after voiding", "the voided statement must not be returned", afterIds);
  check(batchIds.every((id) => afterIds.includes(id)), "query after voiding", "the batch should still be there",
    afterIds);
  out.voiding = { voiding_id: voidingId, refused_by_statementId: goneProbe,
    query_after_voiding_includes_voiding_statement: afterIds.includes(voidingId) };

  // Activities and Agents resources.
  const activity = await call("get activity", xapi.getActivity({ activityId }));
  check(activity.data.id === activityId && activity.data.definition
    && activity.data.definition.name["en-US"] === "Formative assessment workshop", "get activity",
    "the stored definition should come back", activity.data);
  const person = await call("get agent", xapi.getAgent({ agent }));
  check(person.data.objectType === "Person" && Array.isArray(person.data.mbox)
    && person.data.mbox.includes(`mailto:${email}`), "get agent", "should be a Person listing the mbox", person.data);

  out.state = await stateDocuments(xapi, version, adapter, agent, activityId, registration);
  out.activity_profile = await activityProfile(xapi, adapter, activityId);
  out.agent_profile = await agentProfile(xapi, adapter, agent);
  return out;
}

async function stateDocuments(xapi, version, adapter, agent, activityId, registration) {
  const key = { agent, activityId, registration };
  const stateId = "bookmark";
  await call("set state", xapi.setState({ ...key, stateId, state: { page: 3, section: "intro" } }));
  let got = await call("get state", xapi.getState({ ...key, stateId }));
  check(isDeepStrictEqual(got.data, { page: 3, section: "intro" }), "get state", "content differs", got.data);
  check(String(header(got, "Content-Type")).startsWith("application/json"), "get state",
    "Content-Type should be application/json", header(got, "Content-Type"));
  const etag = header(got, "ETag");
  check(typeof etag === "string" && /^"[^"]+"$/.test(etag), "get state", "ETag should be a quoted string", etag);

  // A PUT with neither If-Match nor If-None-Match on the existing document: 2.0 requires 409 for State too
  // (1.0.3 lets State clients skip the headers, so there the outcome is only recorded).
  let blindPut;
  if (version.startsWith("2.")) {
    blindPut = await expectRefused("blind set state on an existing document (2.0)", xapi.setState({ ...key, stateId,
      state: { page: 3, section: "intro" } }), 409, adapter);
  } else {
    try {
      blindPut = { status: (await xapi.setState({ ...key, stateId, state: { page: 3, section: "intro" } })).status };
    } catch (err) {
      blindPut = { status: err && err.response ? err.response.status : null, body: describeError(err).slice(0, 200) };
    }
  }

  // POST merges JSON objects.
  await call("post (merge) state", xapi.createState({ ...key, stateId, state: { score: 7 } }));
  got = await call("get merged state", xapi.getState({ ...key, stateId }));
  check(isDeepStrictEqual(got.data, { page: 3, section: "intro", score: 7 }), "get merged state",
    "POST should merge the JSON objects", got.data);
  const etag2 = header(got, "ETag");

  // PUT with the current ETag succeeds; with the stale one it is refused and changes nothing.
  await call("set state with If-Match", xapi.setState({ ...key, stateId, state: { page: 4 }, etag: etag2,
    matchHeader: "If-Match" }));
  const stale = await expectRefused("set state with a stale If-Match", xapi.setState({ ...key, stateId,
    state: { page: 99 }, etag: etag2, matchHeader: "If-Match" }), 412, adapter);
  got = await call("get state after stale write", xapi.getState({ ...key, stateId }));
  check(isDeepStrictEqual(got.data, { page: 4 }), "get state after stale write",
    "a refused write must not change the document", got.data);

  const ids = await call("get state ids", xapi.getStates({ ...key }));
  check(Array.isArray(ids.data) && ids.data.includes(stateId), "get state ids", `should list ${stateId}`, ids.data);

  await call("delete state", xapi.deleteState({ ...key, stateId }));
  const gone = await expectRefused("get deleted state", xapi.getState({ ...key, stateId }), 404, adapter);
  return { etag, blind_put_on_existing: blindPut, stale_if_match: stale, after_delete: gone };
}

async function activityProfile(xapi, adapter, activityId) {
  const profileId = "facilitator-notes";
  // setActivityProfile makes the caller choose a concurrency header: If-None-Match "*" creates.
  await call("create activity profile (If-None-Match *)", xapi.setActivityProfile({ activityId, profileId,
    profile: { notes: "bring handouts" }, etag: "*", matchHeader: "If-None-Match" }));
  const again = await expectRefused("activity profile If-None-Match * on an existing document",
    xapi.setActivityProfile({ activityId, profileId, profile: { notes: "overwritten" }, etag: "*",
      matchHeader: "If-None-Match" }), 412, adapter);
  let got = await call("get activity profile", xapi.getActivityProfile({ activityId, profileId }));
  check(isDeepStrictEqual(got.data, { notes: "bring handouts" }), "get activity profile", "content differs",
    got.data);
  const etag = header(got, "ETag");
  check(typeof etag === "string" && /^"[^"]+"$/.test(etag), "get activity profile", "ETag should be quoted", etag);

  await call("update activity profile (If-Match)", xapi.setActivityProfile({ activityId, profileId,
    profile: { notes: "bring handouts and markers" }, etag, matchHeader: "If-Match" }));
  const stale = await expectRefused("activity profile with a stale If-Match", xapi.setActivityProfile({
    activityId, profileId, profile: { notes: "lost update" }, etag, matchHeader: "If-Match" }), 412, adapter);
  got = await call("get updated activity profile", xapi.getActivityProfile({ activityId, profileId }));
  check(isDeepStrictEqual(got.data, { notes: "bring handouts and markers" }), "get updated activity profile",
    "the If-Match write should have landed and the stale one not", got.data);

  const ids = await call("get activity profile ids", xapi.getActivityProfiles({ activityId }));
  check(Array.isArray(ids.data) && ids.data.includes(profileId), "get activity profile ids",
    `should list ${profileId}`, ids.data);

  await call("delete activity profile (If-Match)", xapi.deleteActivityProfile({ activityId, profileId,
    etag: header(got, "ETag") }));
  const gone = await expectRefused("get deleted activity profile", xapi.getActivityProfile({ activityId,
    profileId }), 404, adapter);
  return { etag, if_none_match_on_existing: again, stale_if_match: stale, after_delete: gone };
}

async function agentProfile(xapi, adapter, agent) {
  const profileId = "preferences";
  await call("create agent profile (If-None-Match *)", xapi.setAgentProfile({ agent, profileId,
    profile: { language: "en-US" }, etag: "*", matchHeader: "If-None-Match" }));
  const got = await call("get agent profile", xapi.getAgentProfile({ agent, profileId }));
  check(isDeepStrictEqual(got.data, { language: "en-US" }), "get agent profile", "content differs", got.data);
  const ids = await call("get agent profile ids", xapi.getAgentProfiles({ agent }));
  check(Array.isArray(ids.data) && ids.data.includes(profileId), "get agent profile ids",
    `should list ${profileId}`, ids.data);
  await call("delete agent profile (If-Match)", xapi.deleteAgentProfile({ agent, profileId,
    etag: header(got, "ETag") }));
  const gone = await expectRefused("get deleted agent profile", xapi.getAgentProfile({ agent, profileId }), 404,
    adapter);
  return { etag: header(got, "ETag"), after_delete: gone };
}

async function main() {
  const endpoint = process.env.LRS_ENDPOINT;
  const key = process.env.LRS_KEY;
  const secret = process.env.LRS_SECRET;
  if (!endpoint || !key || !secret) {
    console.error("set LRS_ENDPOINT, LRS_KEY and LRS_SECRET");
    process.exit(2);
  }
  const runs = (process.env.XAPI_RUNS || "1.0.3:axios,1.0.3:fetch,2.0.0:axios").split(",").map((r) => {
    const [version, adapter = "axios"] = r.trim().split(":");
    return { version, adapter };
  });
  const auth = XAPI.toBasicAuth(key, secret);
  // The installed copy's own package.json (the package has no "exports" map, so this path resolves).
  const libraryVersion = JSON.parse(readFileSync(createRequire(import.meta.url)
    .resolve("@xapi/xapi/package.json"), "utf8")).version;
  const summary = { library: "@xapi/xapi", library_version: libraryVersion, endpoint, runs: [] };
  for (const { version, adapter } of runs) {
    try {
      summary.runs.push(await runOnce(endpoint, auth, version, adapter));
    } catch (err) {
      summary.ok = false;
      summary.failure = `[xAPI ${version}, ${adapter} adapter] ${err instanceof Mismatch ? err.message
        : err.stack || err}`;
      console.log(JSON.stringify(summary, null, 2));
      console.error(summary.failure);
      process.exit(1);
    }
  }
  summary.ok = true;
  console.log(JSON.stringify(summary, null, 2));
}

await main();

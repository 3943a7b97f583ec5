#!/usr/bin/env node
// Starts the Cloud Storage emulator of firebase-tools without the `firebase` command (which wants
// Java and downloads a rules jar), and puts a thin GCS JSON API compatibility layer in front of it.
// See README.md for every gap this closes and why.
//
// Usage: node launcher.js --port <public port> [--host 127.0.0.1] [--project demo-hoomi]
// Prints "READY <port>" on stdout once both servers listen.
"use strict";

const fs = require("fs");
const http = require("http");
const net = require("net");
const os = require("os");
const path = require("path");
const crypto = require("crypto");
const zlib = require("zlib");

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const host = arg("host", "127.0.0.1");
const publicPort = Number(arg("port", "9199"));
const projectId = arg("project", "demo-hoomi");

// The emulator stages blobs under os.tmpdir()/firebase/storage and deletes that folder on stop;
// a private TMPDIR keeps two emulators (two test runs) from wiping each other's objects.
const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), "hoomi-gcs-"));
process.env.TMPDIR = tmpRoot;

const lib = path.join(__dirname, "node_modules", "firebase-tools", "lib");
const { StorageEmulator } = require(path.join(lib, "emulator", "storage", "index.js"));
const { EmulatorRegistry } = require(path.join(lib, "emulator", "registry.js"));
const { CloudStorageObjectMetadata } = require(path.join(lib, "emulator", "storage", "metadata.js"));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on("error", reject);
    s.listen(0, host, () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function sendJson(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=UTF-8", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

function gcsError(res, status, reason, message) {
  sendJson(res, status, { error: { code: status, message, errors: [{ domain: "global", reason, message }] } });
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const parts = [];
    req.on("data", (c) => {
      parts.push(c);
      countUploadBytes(c.length);
    });
    req.on("end", () => {
      const body = Buffer.concat(parts);
      // Google's .NET client gzips request bodies (the session's metadata JSON, for one).
      try {
        resolve(req.headers["content-encoding"] === "gzip" ? zlib.gunzipSync(body) : body);
      } catch (e) {
        reject(e);
      }
    });
    req.on("error", reject);
    req.on("aborted", () => reject(new Error("client aborted")));
  });
}

// --- fault injection (tests only): an "outage" drops every connection, as if the emulator died ---
const sockets = new Set();
let outage = false;
let outageAfterBytes = -1;

function startOutage(except) {
  outage = true;
  outageAfterBytes = -1;
  for (const s of sockets) if (s !== except) s.destroy();
}

function countUploadBytes(n) {
  if (outageAfterBytes < 0) return;
  outageAfterBytes -= n;
  if (outageAfterBytes <= 0) startOutage();
}

// --- resumable uploads, done here because the emulator finalizes on the first chunk ---
const sessions = new Map();
// Finalizing checks the precondition and then stores; per-object serialization makes that atomic.
const locks = new Map();
async function withLock(key, fn) {
  const previous = locks.get(key) || Promise.resolve();
  let release;
  const current = new Promise((r) => (release = r));
  const chained = previous.then(() => current);
  locks.set(key, chained);
  await previous;
  try {
    return await fn();
  } finally {
    release();
    if (locks.get(key) === chained) locks.delete(key);
  }
}

function preconditionFails(emulator, bucket, name, query) {
  const stored = emulator.adminStorageLayer.getMetadata(bucket, name);
  const generation = stored ? String(stored.generation) : "0";
  const match = query.get("ifGenerationMatch");
  if (match !== null && match !== generation) return true;
  const notMatch = query.get("ifGenerationNotMatch");
  if (notMatch !== null && notMatch === generation) return true;
  return false;
}

function parseContentRange(header) {
  // "bytes 0-99/*", "bytes 0-99/100", "bytes */100", "bytes */*"
  const m = /^bytes (\*|(\d+)-(\d+))\/(\*|\d+)$/.exec((header || "").trim());
  if (!m) return null;
  return {
    first: m[2] === undefined ? null : Number(m[2]),
    last: m[3] === undefined ? null : Number(m[3]),
    total: m[4] === "*" ? null : Number(m[4]),
  };
}

function rangeHeader(session) {
  return session.received > 0 ? { range: `bytes=0-${session.received - 1}` } : {};
}

async function startResumable(emulator, req, res, bucket, url) {
  const body = await readBody(req);
  let metadata = {};
  if (body.length > 0) {
    try {
      metadata = JSON.parse(body.toString("utf8"));
    } catch {
      return gcsError(res, 400, "invalid", "metadata is not JSON");
    }
  }
  const name = url.searchParams.get("name") || metadata.name;
  if (!name) return gcsError(res, 400, "required", "object name is required");
  const contentType = req.headers["x-upload-content-type"] || metadata.contentType;
  const upload = emulator.uploadService.startResumableUpload({
    bucketId: bucket,
    objectId: name,
    metadata: { ...metadata, contentType },
    authorization: req.headers.authorization,
  });
  const id = crypto.randomUUID();
  sessions.set(id, { id, bucket, name, upload, received: 0, query: new URLSearchParams(url.searchParams), busy: false });
  const location = `http://${req.headers.host}/upload/storage/v1/b/${encodeURIComponent(bucket)}/o?uploadType=resumable&upload_id=${id}`;
  res.writeHead(200, { location, "content-length": 0 });
  res.end();
}

async function continueResumable(emulator, req, res, id) {
  const session = sessions.get(id);
  if (!session) return gcsError(res, 404, "notFound", "no such upload session");
  const range = parseContentRange(req.headers["content-range"]);
  const data = await readBody(req);
  if (session.done) {
    // A retried final chunk whose response was lost: answer the stored outcome again.
    return sendJson(res, session.done.status, session.done.body);
  }
  if (!range) {
    if (req.headers["content-range"] !== undefined) return gcsError(res, 400, "invalid", "bad Content-Range");
    // No Content-Range: the whole object in one request.
    emulator.uploadService.continueResumableUpload(session.upload.id, data);
    session.received += data.length;
    return finish(emulator, res, session);
  }
  if (range.first !== null) {
    if (range.first > session.received) {
      // A gap: tell the client what we have so it resends from there.
      res.writeHead(308, { ...rangeHeader(session), "content-length": 0 });
      return res.end();
    }
    const skip = session.received - range.first; // bytes the client resent after a lost response
    if (skip < data.length) {
      const fresh = skip > 0 ? data.subarray(skip) : data;
      emulator.uploadService.continueResumableUpload(session.upload.id, fresh);
      session.received += fresh.length;
    }
  }
  if (range.total !== null && session.received >= range.total) {
    return finish(emulator, res, session);
  }
  res.writeHead(308, { ...rangeHeader(session), "content-length": 0 });
  res.end();
}

async function finish(emulator, res, session) {
  const key = `${session.bucket}/${session.name}`;
  const outcome = await withLock(key, async () => {
    if (preconditionFails(emulator, session.bucket, session.name, session.query)) {
      emulator.uploadService.cancelResumableUpload(session.upload.id);
      return { status: 412, body: { error: { code: 412, message: "At least one of the pre-conditions you specified did not hold.", errors: [{ domain: "global", reason: "conditionNotMet", message: "Precondition Failed", locationType: "header", location: "If-Match" }] } } };
    }
    const upload = emulator.uploadService.finalizeResumableUpload(session.upload.id);
    const metadata = await emulator.adminStorageLayer.uploadObject(upload);
    return { status: 200, body: new CloudStorageObjectMetadata(metadata) };
  });
  session.done = outcome;
  // Keep the session briefly so a retried final chunk gets the same answer.
  setTimeout(() => sessions.delete(session.id), 60_000).unref();
  sendJson(res, outcome.status, outcome.body);
}

async function oneShotUploadPrecondition(emulator, req, res, bucket, url, forward) {
  // Media/multipart uploads: the emulator ignores ifGenerationMatch, so check it here. The name of a
  // multipart upload is in the body; only uploads naming the object in the query are checked.
  const name = url.searchParams.get("name");
  if (!name || (url.searchParams.get("ifGenerationMatch") === null && url.searchParams.get("ifGenerationNotMatch") === null)) {
    return forward();
  }
  return withLock(`${bucket}/${name}`, async () => {
    if (preconditionFails(emulator, bucket, name, url.searchParams)) {
      req.resume();
      return gcsError(res, 412, "conditionNotMet", "At least one of the pre-conditions you specified did not hold.");
    }
    return forward();
  });
}

function proxy(req, res, internalPort, targetPath) {
  return new Promise((resolve) => {
    const upstream = http.request(
      { host, port: internalPort, method: req.method, path: targetPath, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode, up.headers);
        up.pipe(res);
        up.on("end", resolve);
        up.on("error", resolve);
      },
    );
    upstream.on("error", (e) => {
      if (!res.headersSent) gcsError(res, 502, "backendError", String(e));
      resolve();
    });
    req.on("data", (c) => countUploadBytes(c.length));
    req.pipe(upstream);
  });
}

async function main() {
  const internalPort = await freePort();
  const emulator = new StorageEmulator({ projectId, host, port: internalPort, rules: undefined, auto_download: false });
  // The JSON API routes never consult security rules; the rules runtime would need Java and a
  // downloaded jar, so it is replaced by a no-op.
  emulator._rulesRuntime = { start: async () => {}, stop: async () => {}, loadRuleset: async () => ({ issues: { errors: [], all: [] } }) };
  emulator._rulesManager = { start: async () => ({ errors: [], all: [] }), stop: async () => {}, getRuleset: () => undefined };
  emulator.createRulesManager = () => emulator._rulesManager;
  await EmulatorRegistry.start(emulator);

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, `http://${req.headers.host || host}`);
    if (process.env.HOOMI_GCS_DEBUG) {
      res.on("finish", () => process.stderr.write(`${req.method} ${req.url} ${req.headers["content-range"] || ""} -> ${res.statusCode}\n`));
    }
    try {
      if (url.pathname.startsWith("/_hoomi/")) {
        if (url.pathname === "/_hoomi/outage") {
          const after = url.searchParams.get("afterBytes");
          if (after !== null) outageAfterBytes = Number(after);
          else startOutage(req.socket);
          res.writeHead(204, { connection: "close" });
          return res.end();
        }
        if (url.pathname === "/_hoomi/restore") {
          outage = false;
          outageAfterBytes = -1;
          res.writeHead(204);
          return res.end();
        }
        if (url.pathname === "/_hoomi/state") {
          const open = [...sessions.values()].filter((s) => !s.done).length;
          return sendJson(res, 200, { outage, openUploadSessions: open });
        }
        return gcsError(res, 404, "notFound", "unknown control path");
      }
      if (outage) {
        req.socket.destroy();
        return;
      }

      const upload = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/.exec(url.pathname);
      if (upload) {
        const bucket = decodeURIComponent(upload[1]);
        emulator.adminStorageLayer.createBucket(bucket);
        const type = url.searchParams.get("uploadType") || req.headers["x-goog-upload-protocol"];
        if (type === "resumable" && req.method === "POST" && !url.searchParams.get("upload_id")) {
          return await startResumable(emulator, req, res, bucket, url);
        }
        if (type === "resumable" && req.method === "PUT" && url.searchParams.get("upload_id")) {
          return await continueResumable(emulator, req, res, url.searchParams.get("upload_id"));
        }
        if (type === "resumable" && req.method === "DELETE" && url.searchParams.get("upload_id")) {
          sessions.delete(url.searchParams.get("upload_id"));
          res.writeHead(499);
          return res.end();
        }
        return await oneShotUploadPrecondition(emulator, req, res, bucket, url, () => proxy(req, res, internalPort, req.url));
      }

      // The emulator serves most JSON API routes at /b/... instead of /storage/v1/b/...
      let target = req.url;
      if (url.pathname.startsWith("/storage/v1/b")) target = req.url.substring("/storage/v1".length);
      return await proxy(req, res, internalPort, target);
    } catch (e) {
      if (!res.headersSent) gcsError(res, 500, "internalError", String(e && e.stack ? e.stack : e));
      else res.destroy();
    }
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  server.keepAliveTimeout = 5_000;
  server.listen(publicPort, host, () => {
    process.stdout.write(`READY ${publicPort}\n`);
  });

  const shutdown = async () => {
    server.close();
    for (const s of sockets) s.destroy();
    try {
      await EmulatorRegistry.stop("storage");
    } finally {
      fs.rmSync(tmpRoot, { recursive: true, force: true });
      process.exit(0);
    }
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
  // The test fixture owns this process through its stdin: when the test host dies, stdin closes.
  process.stdin.on("end", shutdown);
  process.stdin.resume();
}

main().catch((e) => {
  process.stderr.write(`gcs emulator failed to start: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});

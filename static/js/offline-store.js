// What this app keeps on the phone, in IndexedDB, shared by the pages (offline.js) and the
// service worker (sw.js). Everything is tied to the signed-in user ("owner"): a shared phone
// never offers one specialist another's note, and sign-out deletes the whole database.
//
//   outbox  forms signed or saved with no signal, waiting to be sent: {id, owner, url,
//           fields: [[name, value]...], label, created, state, reason, sentUrl}
//   copies  what was typed in an open form, kept as it is typed: {key: "<owner>|<form>", at, values}
//   meta    {name: "owner", value: <user id>}: whose pages the service worker's cache holds
(function (global) {
  "use strict";

  const NAME = "peersupport";
  const STORES = ["outbox", "copies", "meta"];
  let opening = null;

  function open() {
    if (!opening) {
      opening = new Promise(function (resolve, reject) {
        const request = global.indexedDB.open(NAME, 1);
        request.onupgradeneeded = function () {
          const db = request.result;
          db.createObjectStore("outbox", { keyPath: "id" }).createIndex("owner", "owner");
          db.createObjectStore("copies", { keyPath: "key" });
          db.createObjectStore("meta", { keyPath: "name" });
        };
        request.onsuccess = function () {
          const db = request.result;
          // Another page deleting the database (sign-out) must not wait on this connection.
          db.onversionchange = function () { db.close(); opening = null; };
          resolve(db);
        };
        request.onerror = function () { opening = null; reject(request.error); };
      });
    }
    return opening;
  }

  function run(store, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        const tx = db.transaction(store, mode);
        const result = work(tx.objectStore(store));
        tx.oncomplete = function () { resolve(result && "result" in result ? result.result : undefined); };
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error); };
      });
    });
  }

  const Store = {
    get: function (store, key) { return run(store, "readonly", function (s) { return s.get(key); }); },
    put: function (store, value) { return run(store, "readwrite", function (s) { return s.put(value); }); },
    remove: function (store, key) { return run(store, "readwrite", function (s) { return s.delete(key); }); },
    outbox: function (owner) {
      return run("outbox", "readonly", function (s) { return s.index("owner").getAll(owner); }).then(
        function (items) { return items.sort(function (a, b) { return a.created - b.created; }); }
      );
    },
    // Copies of forms typed by this user that the server does not have yet.
    copies: function (owner) {
      const range = IDBKeyRange.bound(owner + "|", owner + "|\uffff");
      return run("copies", "readonly", function (s) { return s.count(range); });
    },
    owner: function () {
      return Store.get("meta", "owner").then(function (row) { return row ? row.value : null; });
    },
    // A form sent with no signal: kept until the signal returns (offline.js sends it).
    queue: function (owner, url, fields, label) {
      const item = {
        id: global.crypto.randomUUID(), owner: owner, url: url, fields: fields, label: label || "A form",
        created: Date.now(), state: "pending", reason: "",
      };
      return Store.put("outbox", item).then(function () { return item; });
    },
    // Sign-out: nothing of this user's stays on the phone.
    destroy: function () {
      const closing = opening ? opening.then(function (db) { db.close(); }, function () {}) : Promise.resolve();
      opening = null;
      return closing.then(function () {
        return new Promise(function (resolve) {
          const request = global.indexedDB.deleteDatabase(NAME);
          request.onsuccess = request.onerror = request.onblocked = function () { resolve(); };
        });
      });
    },
    STORES: STORES,
  };

  global.PSStore = Store;
})(self);

/* The shopper chat widget: Rasa's socket.io channel, session persistence, rich payloads.
 * Every piece of user, bot or staff text is set with textContent, never parsed as HTML. */
(function () {
  "use strict";

  var MAX_CHARS = 500;
  var SESSION_KEY = "advisor.session_id";
  var HISTORY_KEY = "advisor.history";
  var HANDOFF_KEY = "advisor.handoff";
  var HISTORY_LIMIT = 200;
  var TYPING_TIMEOUT_MS = 20000;

  var socketUrl = document.querySelector('meta[name="advisor-socket-url"]').getAttribute("content");
  var messages = document.getElementById("messages");
  var form = document.getElementById("composer");
  var input = document.getElementById("input");
  var sendButton = document.getElementById("send");
  var note = document.getElementById("note");
  var counter = document.getElementById("counter");
  var typing = document.getElementById("typing");
  var banner = document.getElementById("handoff");
  var connection = document.getElementById("connection");
  var typingTimer = null;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function load(key, fallback) {
    try {
      var value = JSON.parse(localStorage.getItem(key));
      return value === null ? fallback : value;
    } catch (e) {
      return fallback;
    }
  }

  function save(key, value) {
    try {
      localStorage.setItem(key, JSON.stringify(value));
    } catch (e) { /* storage full or disabled: the chat still works, without history */ }
  }

  function newId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  var sessionId = load(SESSION_KEY, null);
  if (typeof sessionId !== "string" || !/^[0-9a-f]{32}$/.test(sessionId)) {
    sessionId = newId();
    save(SESSION_KEY, sessionId);
  }
  var history = load(HISTORY_KEY, []);
  if (!Array.isArray(history)) history = [];

  function remember(entry) {
    history.push(entry);
    if (history.length > HISTORY_LIMIT) history = history.slice(-HISTORY_LIMIT);
    save(HISTORY_KEY, history);
  }

  function scrollDown() {
    messages.scrollTop = messages.scrollHeight;
  }

  function safeLink(url, label) {
    if (typeof url !== "string" || !/^https?:\/\//i.test(url)) return el("span", "", label || url);
    var link = el("a", "", label);
    link.href = url;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    if (!label) {
      try {
        link.textContent = new URL(url).hostname.replace(/^www\./, "");
      } catch (e) {
        link.textContent = url;
      }
    }
    return link;
  }

  function list(items, className) {
    var ul = el("ul", className);
    (items || []).forEach(function (item) { ul.appendChild(el("li", "", item)); });
    return ul;
  }

  function sourcesLine(sources, asOf) {
    var p = el("p", "sources");
    p.appendChild(document.createTextNode("Sources: "));
    (sources || []).forEach(function (url, i) {
      if (i) p.appendChild(document.createTextNode(", "));
      p.appendChild(safeLink(url));
    });
    if (asOf) p.appendChild(document.createTextNode(" · as of " + asOf));
    return p;
  }

  // A figure's own source: a link with a short label ("EPA", "NHTSA", the maker), dated.
  function citeLink(source) {
    if (!source || !source.url) return null;
    var link = safeLink(source.url, source.label || "source");
    link.className = "cite";
    if (source.as_of) link.title = (source.label || "source") + ", as of " + source.as_of;
    return link;
  }

  function withCite(node, source) {
    var link = citeLink(source);
    if (link) {
      node.appendChild(document.createTextNode(" "));
      node.appendChild(link);
    }
    return node;
  }

  function citationsLine(payload) {
    var p = el("p", "sources");
    p.appendChild(document.createTextNode("Sources: "));
    (payload.items || []).forEach(function (source, i) {
      if (i) p.appendChild(document.createTextNode(", "));
      p.appendChild(citeLink(source) || el("span", "", source.label || ""));
      if (source.as_of) p.appendChild(document.createTextNode(" (as of " + source.as_of + ")"));
    });
    return p;
  }

  function issuesList(issues) {
    var ul = el("ul", "issues");
    (issues || []).forEach(function (issue) {
      var li = el("li", "", (issue.kind ? issue.kind + ": " : "") + (issue.summary || ""));
      if (issue.source) {
        li.appendChild(document.createTextNode(" "));
        li.appendChild(safeLink(issue.source, issue.source_label || "source"));
      }
      ul.appendChild(li);
    });
    return ul;
  }

  function productCards(payload) {
    var wrap = el("div", "cards");
    (payload.items || []).forEach(function (item, index) {
      var card = el("article", "card");
      card.appendChild(el("h3", "", (index + 1) + ". " + item.name));
      var missing = item.missing || [];
      var reasons = (item.reasons || []).filter(function (r) { return missing.indexOf(r) === -1; });
      if (reasons.length) {
        card.appendChild(el("h4", "", "Why it fits"));
        card.appendChild(list(reasons, "reasons"));
      }
      if (missing.length) {
        card.appendChild(el("h4", "", "Not on file (scored as nothing)"));
        card.appendChild(list(missing, "missing"));
      }
      var facts = el("dl", "facts");
      (item.facts || []).forEach(function (fact) {
        facts.appendChild(el("dt", "", fact.label));
        facts.appendChild(withCite(el("dd", "", fact.value), fact.source));
      });
      card.appendChild(facts);
      if (item.known_issues && item.known_issues.length) {
        card.appendChild(el("h4", "", "Known issues"));
        card.appendChild(issuesList(item.known_issues));
      }
      card.appendChild(sourcesLine(item.sources, item.as_of));
      wrap.appendChild(card);
    });
    return wrap;
  }

  function comparisonTable(payload) {
    var products = payload.products || [];
    var wrap = el("div", "comparison");
    var scroller = el("div", "table-scroll");
    var table = el("table");
    table.appendChild(el("caption", "", "Side by side (★ = better)"));
    var head = el("tr");
    head.appendChild(el("th", "", ""));
    products.forEach(function (p) { head.appendChild(el("th", "", p.full_name || p.name)); });
    var thead = el("thead");
    thead.appendChild(head);
    table.appendChild(thead);
    var body = el("tbody");
    (payload.rows || []).forEach(function (row) {
      var tr = el("tr");
      tr.appendChild(el("th", "", row.label));
      (row.values || []).forEach(function (value, i) {
        var best = (row.best || []).indexOf(i) !== -1;
        var cell = el("td", best ? "best" : "", best ? value + " ★" : value);
        tr.appendChild(withCite(cell, (row.sources || [])[i]));
      });
      body.appendChild(tr);
    });
    table.appendChild(body);
    scroller.appendChild(table);
    wrap.appendChild(scroller);
    products.forEach(function (p) {
      var block = el("section", "pros-cons");
      block.appendChild(el("h4", "", p.name));
      if (p.pros && p.pros.length) block.appendChild(list(p.pros.map(function (t) { return "+ " + t; })));
      if (p.cons && p.cons.length) block.appendChild(list(p.cons.map(function (t) { return "− " + t; })));
      if (p.known_issues && p.known_issues.length) block.appendChild(issuesList(p.known_issues));
      block.appendChild(sourcesLine(p.sources, p.as_of));
      wrap.appendChild(block);
    });
    return wrap;
  }

  function nothingFits(payload) {
    var box = el("div", "nothing-fits");
    box.appendChild(el("h3", "", "Nothing meets all your needs"));
    var nearest = el("ul");
    (payload.nearest || []).forEach(function (p) {
      var misses = (p.fails || []).map(function (f) { return f.text; }).join("; ");
      nearest.appendChild(el("li", "", p.name + ": " + misses));
    });
    box.appendChild(el("h4", "", "Nearest"));
    box.appendChild(nearest);
    var useful = (payload.relaxations || []).filter(function (r) { return r.matches > 0; });
    if (useful.length) {
      box.appendChild(el("h4", "", "If you relax one need"));
      box.appendChild(list(useful.map(function (r) {
        return "Without the " + r.label + " limit: " + r.matches + " would fit";
      })));
    }
    return box;
  }

  // "Might also fit, but I have no starting MSRP on file: A, B, C and 4 more": the first names
  // shown, the rest one click away, each with where to check the missing figure.
  function mightFit(payload) {
    var box = el("div", "might-fit");
    (payload.groups || []).forEach(function (group, index) {
      var items = group.items || [];
      box.appendChild(el("p", "", (payload.text || [])[index] || ""));
      var details = el("details", "might-fit-all");
      details.appendChild(el("summary", "", group.more ? "Show all " + items.length : "Where to check"));
      var ul = el("ul");
      items.forEach(function (i) {
        var li = el("li", "", i.full_name || i.name);
        var check = (i.check || null);
        if (check && check.url) {
          li.appendChild(document.createTextNode(" · check: "));
          li.appendChild(safeLink(check.url, check.label || "source"));
        }
        ul.appendChild(li);
      });
      details.appendChild(ul);
      box.appendChild(details);
    });
    return box;
  }

  function setHandoff(state, name) {
    save(HANDOFF_KEY, state ? { state: state, name: name || "" } : null);
    if (!state) {
      banner.hidden = true;
      banner.textContent = "";
      return;
    }
    banner.hidden = false;
    banner.textContent = state === "waiting"
      ? "Waiting for a person from the support team. The advisor stays quiet meanwhile."
      : "You're chatting with " + name + " from the support team.";
  }

  function showTyping(on) {
    clearTimeout(typingTimer);
    typing.hidden = !on;
    if (on) typingTimer = setTimeout(function () { typing.hidden = true; }, TYPING_TIMEOUT_MS);
    scrollDown();
  }

  function clearQuickReplies() {
    Array.prototype.forEach.call(messages.querySelectorAll(".quick-replies"), function (node) {
      node.remove();
    });
  }

  function renderUser(text) {
    var row = el("div", "row user");
    row.appendChild(el("p", "bubble", text));
    messages.appendChild(row);
  }

  // The cards repeat the numbered list in the text just before them: keep its first line, fold
  // the rest away (still there for copying or screen readers that prefer plain text).
  function foldListAbove() {
    var last = messages.lastElementChild;
    var bubble = last && last.classList.contains("bot") ? last.querySelector("p.bubble") : null;
    if (!bubble || bubble.textContent.indexOf("\n1. ") === -1) return;
    var full = bubble.textContent;
    bubble.textContent = full.split("\n")[0];
    var details = el("details", "bubble plain-table");
    details.appendChild(el("summary", "", "Plain-text version"));
    details.appendChild(el("pre", "", full));
    last.appendChild(details);
  }

  function renderBot(msg, live) {
    var row = el("div", "row bot");
    var staff = msg.sender && msg.sender.role === "staff";
    if (staff) {
      row.className = "row staff";
      row.appendChild(el("p", "who", (msg.sender.name || "Support") + " · support team"));
    }
    if (typeof msg.text === "string" && msg.text) {
      if (/\n-{3,}/.test(msg.text)) {
        // a plain-text table (the rich table follows as a payload): kept, but folded away
        var details = el("details", "bubble plain-table");
        details.appendChild(el("summary", "", "Plain-text table"));
        details.appendChild(el("pre", "", msg.text));
        row.appendChild(details);
      } else {
        row.appendChild(el("p", msg.refused ? "bubble refused" : "bubble", msg.text));
      }
    }
    if (Array.isArray(msg.quick_replies) && msg.quick_replies.length && live) {
      var buttons = el("div", "quick-replies");
      msg.quick_replies.forEach(function (reply) {
        var button = el("button", "quick-reply", reply.title);
        button.type = "button";
        button.addEventListener("click", function () { send(reply.payload, reply.title); });
        buttons.appendChild(button);
      });
      row.appendChild(buttons);
    }
    var custom = msg.custom;
    if (custom && typeof custom === "object") {
      if (custom.type === "product_cards") {
        foldListAbove();
        row.appendChild(productCards(custom));
      }
      else if (custom.type === "comparison_table") row.appendChild(comparisonTable(custom));
      else if (custom.type === "nothing_fits") row.appendChild(nothingFits(custom));
      else if (custom.type === "citations" && (custom.items || []).length) {
        row.appendChild(citationsLine(custom));
      }
      else if (custom.type === "handoff" && live) setHandoff("waiting");
      if ((custom.type === "product_cards" || custom.type === "nothing_fits") &&
          custom.might_also_fit) {
        row.appendChild(mightFit(custom.might_also_fit));
      }
    }
    if (live) {
      if (staff) setHandoff("staff", msg.sender.name);
      if (["returned", "closed", "abandoned"].indexOf(msg.handoff) !== -1) setHandoff(null);
    }
    if (row.childNodes.length) messages.appendChild(row);
  }

  function showNote(text) {
    note.textContent = text;
    note.hidden = !text;
  }

  function checkLength() {
    var length = input.value.length;
    counter.textContent = length > MAX_CHARS - 100 ? length + " / " + MAX_CHARS : "";
    var tooLong = length > MAX_CHARS;
    sendButton.disabled = tooLong;
    showNote(tooLong
      ? "Messages are limited to " + MAX_CHARS + " characters (this one has " + length +
        "). Please shorten it or send it in parts."
      : "");
    return !tooLong;
  }

  var socket = window.io(socketUrl, { transports: ["websocket", "polling"] });
  // Shared with chat_support.js (typing signals, the rating after a support chat).
  window.advisorChat = { socket: socket, sessionId: function () { return sessionId; } };

  function send(text, shown) {
    if (!text || !text.trim()) return;
    if (text.length > MAX_CHARS) {
      checkLength();
      return;
    }
    clearQuickReplies();
    renderUser(shown || text);
    remember({ who: "user", text: shown || text });
    socket.emit("user_uttered", { message: text, session_id: sessionId });
    var handoff = load(HANDOFF_KEY, null);
    showTyping(!handoff);
    scrollDown();
  }

  // Messages pushed while this page was closed (a person's replies, hand-back and closing
  // notes) reach only open pages: fetch the ones not shown yet, by id.
  function catchUp() {
    var shown = {};
    history.forEach(function (entry) {
      if (entry.msg && entry.msg.id) shown[entry.msg.id] = true;
    });
    fetch("/api/chat/" + encodeURIComponent(sessionId) + "/pushed", { cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : { messages: [] }; })
      .then(function (body) {
        (body.messages || []).forEach(function (msg) {
          if (!msg || typeof msg !== "object" || !msg.id || shown[msg.id]) return;
          shown[msg.id] = true;
          renderBot(msg, true);
          remember({ who: "bot", msg: msg });
        });
        scrollDown();
      })
      .catch(function () { /* offline: the next connect tries again */ });
  }

  socket.on("connect", function () {
    connection.textContent = "online";
    connection.className = "connection online";
    socket.emit("session_request", { session_id: sessionId });
    catchUp();
  });
  socket.on("disconnect", function () {
    connection.textContent = "reconnecting…";
    connection.className = "connection offline";
  });
  socket.on("connect_error", function () {
    connection.textContent = "can't reach the advisor; retrying…";
    connection.className = "connection offline";
  });
  // The server assigns a new id when it does not accept this one; the old conversation is gone.
  socket.on("session_confirm", function (confirmed) {
    if (typeof confirmed === "string" && confirmed !== sessionId) {
      sessionId = confirmed;
      save(SESSION_KEY, sessionId);
    }
  });
  socket.on("bot_uttered", function (msg) {
    if (!msg || typeof msg !== "object") return;
    showTyping(false);
    renderBot(msg, true);
    remember({ who: "bot", msg: msg });
    scrollDown();
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!checkLength()) return;
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    checkLength();
    send(text);
  });
  input.addEventListener("input", checkLength);
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  document.getElementById("new-chat").addEventListener("click", function () {
    [SESSION_KEY, HISTORY_KEY, HANDOFF_KEY].forEach(function (key) { localStorage.removeItem(key); });
    window.location.reload();
  });

  history.forEach(function (entry, index) {
    if (entry.who === "user") renderUser(entry.text);
    else if (entry.msg) renderBot(entry.msg, index === history.length - 1);
  });
  var handoff = load(HANDOFF_KEY, null);
  if (handoff) setHandoff(handoff.state, handoff.name);
  scrollDown();
  input.focus();
})();

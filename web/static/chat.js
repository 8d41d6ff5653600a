/* The shopper chat widget: Rasa's socket.io channel, session persistence, rich payloads.
 * Every piece of user, bot or staff text is set with textContent, never parsed as HTML.
 *
 * It renders whatever the bot sends: text (links in it become short labelled links), Rasa's
 * buttons, and the custom payloads product_cards, comparison_table, nothing_fits, cost_to_own,
 * product_details and citations. A clickable step anywhere in a payload is
 * {title, label, payload}: the button shows the title, the conversation shows the label as the
 * shopper's words, the payload goes to the bot. */
(function () {
  "use strict";

  var MAX_CHARS = 500;
  var SESSION_KEY = "advisor.session_id";
  var HISTORY_KEY = "advisor.history";
  var HANDOFF_KEY = "advisor.handoff";
  var HISTORY_LIMIT = 200;
  var TYPING_TIMEOUT_MS = 20000;
  var ANNOUNCED_KEEP = 6;
  var URL_PATTERN = /https?:\/\/[^\s<>"')\];,]+[^\s<>"')\];,.]/g;
  var HAS_URL = /https?:\/\//;

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
  var announcer = document.getElementById("announcer");
  var suggestions = document.getElementById("suggestions");
  var typingTimer = null;
  var linkLabels = {}; // url -> the short label a payload gave it ("EPA", "NHTSA", the maker)

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

  // ---- announcing: only new messages, in a few words, never the whole list again ----------

  function announce(text) {
    if (!text) return;
    announcer.appendChild(el("p", "", text.length > 300 ? text.slice(0, 297) + "…" : text));
    while (announcer.childNodes.length > ANNOUNCED_KEEP) announcer.removeChild(announcer.firstChild);
  }

  function names(list) {
    return (list || []).map(function (i) { return i.name || i.full_name || ""; }).join(", ");
  }

  function describe(msg) {
    var custom = msg.custom;
    if (!custom || typeof custom !== "object") return msg.text || "";
    switch (custom.type) {
      case "product_cards": return (custom.items || []).length + " product cards: " + names(custom.items);
      case "comparison_table": return "Comparison table: " + names(custom.products) +
        (custom.bottom_line ? ". " + custom.bottom_line : "");
      case "nothing_fits": return "Nothing meets all your needs. Nearest: " + names(custom.nearest);
      case "cost_to_own": return "Cost to own table" + (custom.total ? ": about $" +
        Number(custom.total).toLocaleString() + " over " + custom.years + " years" : "");
      case "product_details": return custom.summary || "Details";
      default: return "";
    }
  }

  // ---- links: a figure's source as a short label, never a raw URL ---------------------------

  function hostLabel(url) {
    try {
      return new URL(url).hostname.replace(/^www\./, "");
    } catch (e) {
      return "link";
    }
  }

  function safeLink(url, label) {
    if (typeof url !== "string" || !/^https?:\/\//i.test(url)) return el("span", "", label || "");
    var link = el("a", "", label || linkLabels[url] || hostLabel(url));
    link.href = url;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    return link;
  }

  function learnLabels(node) {
    if (Array.isArray(node)) {
      node.forEach(learnLabels);
    } else if (node && typeof node === "object") {
      if (typeof node.url === "string" && typeof node.label === "string" && node.label) {
        linkLabels[node.url] = node.label;
      }
      if (typeof node.source === "string" && typeof node.source_label === "string") {
        linkLabels[node.source] = node.source_label;
      }
      Object.keys(node).forEach(function (key) { learnLabels(node[key]); });
    }
  }

  // Text with every URL in it turned into a short labelled link.
  function linkedText(tag, className, text) {
    var node = el(tag, className);
    var last = 0;
    String(text).replace(URL_PATTERN, function (url, offset) {
      node.appendChild(document.createTextNode(text.slice(last, offset)));
      var link = safeLink(url);
      link.className = "cite";
      node.appendChild(link);
      last = offset + url.length;
      return url;
    });
    node.appendChild(document.createTextNode(text.slice(last)));
    return node;
  }

  function citeLink(source) {
    if (!source || !source.url) return null;
    var link = safeLink(source.url, source.label || null);
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

  function linksLine(links, asOf, prefix) {
    var p = el("p", "sources");
    p.appendChild(document.createTextNode((prefix || "Sources") + ": "));
    (links || []).forEach(function (source, i) {
      if (i) p.appendChild(document.createTextNode(", "));
      if (typeof source === "string") source = { url: source };
      p.appendChild(citeLink(source) || el("span", "", source.label || ""));
      if (source.as_of && !asOf) p.appendChild(document.createTextNode(" (as of " + source.as_of + ")"));
    });
    if (asOf) p.appendChild(document.createTextNode(" · as of " + asOf));
    return p;
  }

  function list(items, className) {
    var ul = el("ul", className);
    (items || []).forEach(function (item) { ul.appendChild(el("li", "", item)); });
    return ul;
  }

  function issuesList(issues) {
    var ul = el("ul", "issues");
    (issues || []).forEach(function (issue) {
      var li = el("li", "", (issue.kind ? issue.kind + ": " : "") + (issue.summary || ""));
      if (issue.source) {
        li.appendChild(document.createTextNode(" "));
        var link = safeLink(issue.source, issue.source_label || null);
        link.className = "cite";
        li.appendChild(link);
      }
      ul.appendChild(li);
    });
    return ul;
  }

  // ---- buttons ------------------------------------------------------------------------------

  // A button whose words in the conversation say more than its title ("Details" -> "Details of
  // the 2025 Toyota RAV4") is named by them, as long as they contain the title it shows.
  function labelled(button, title, label) {
    if (label && label !== title && label.indexOf(title) !== -1) button.setAttribute("aria-label", label);
  }

  function stepButton(stepSpec, className) {
    var button = el("button", className || "step", stepSpec.title);
    button.type = "button";
    labelled(button, stepSpec.title, stepSpec.label);
    button.addEventListener("click", function () {
      send(stepSpec.payload, stepSpec.label || stepSpec.title);
    });
    return button;
  }

  function stepsRow(steps, className) {
    var row = el("div", className || "steps");
    (steps || []).forEach(function (s) {
      if (s && s.title && s.payload) row.appendChild(stepButton(s));
    });
    return row;
  }

  function quickReplies(replies) {
    var box = el("div", "quick-replies");
    replies.forEach(function (reply) {
      var button = el("button", "quick-reply", reply.title);
      button.type = "button";
      var shown = reply.label || reply.title;
      labelled(button, reply.title, shown);
      button.addEventListener("click", function () { send(reply.payload, shown); });
      box.appendChild(button);
    });
    return box;
  }

  // ---- payloads -----------------------------------------------------------------------------

  function card(item, number) {
    var node = el("article", "card");
    var heading = el("h2", "", (number ? number + ". " : "") + item.name);
    node.appendChild(heading);
    var missing = item.missing || [];
    var reasons = (item.reasons || []).filter(function (r) { return missing.indexOf(r) === -1; });
    if (reasons.length) {
      node.appendChild(el("h3", "", "Why it fits"));
      node.appendChild(list(reasons, "reasons"));
    }
    if (missing.length) {
      node.appendChild(el("h3", "", "Not on file (scored as nothing)"));
      node.appendChild(list(missing, "missing"));
    }
    var facts = el("dl", "facts");
    (item.facts || []).forEach(function (fact) {
      var pair = el("div", "fact");
      pair.appendChild(el("dt", "", fact.label));
      pair.appendChild(withCite(el("dd", "", fact.value), fact.source));
      facts.appendChild(pair);
    });
    node.appendChild(facts);
    if (item.known_issues && item.known_issues.length) {
      node.appendChild(el("h3", "", "Known issues"));
      node.appendChild(issuesList(item.known_issues));
    }
    node.appendChild(linksLine(item.source_links || item.sources, item.as_of));
    if (item.actions && item.actions.length) {
      var steps = stepsRow(item.actions);
      steps.setAttribute("role", "group");
      steps.setAttribute("aria-label", "Next steps for the " + item.name);
      node.appendChild(steps);
    }
    return node;
  }

  function productCards(payload) {
    var wrap = el("div", "cards");
    var start = payload.start || 1;
    (payload.items || []).forEach(function (item, index) {
      wrap.appendChild(card(item, item.number || start + index));
    });
    return wrap;
  }

  function comparisonTable(payload) {
    var products = payload.products || [];
    var wrap = el("div", "comparison");
    if (payload.bottom_line) wrap.appendChild(el("p", "bottom-line", payload.bottom_line));
    var scroller = el("div", "table-scroll");
    scroller.tabIndex = 0;
    scroller.setAttribute("role", "region");
    scroller.setAttribute("aria-label", "Side by side: " + names(products));
    var table = el("table");
    table.appendChild(el("caption", "", "Side by side (★ = better)"));
    var head = el("tr");
    var corner = el("th", "", "");
    corner.appendChild(el("span", "visually-hidden", "Figure"));
    head.appendChild(corner);
    products.forEach(function (p) {
      var th = el("th", "", p.full_name || p.name);
      th.scope = "col";
      head.appendChild(th);
    });
    var thead = el("thead");
    thead.appendChild(head);
    table.appendChild(thead);
    var body = el("tbody");
    (payload.rows || []).forEach(function (row) {
      var tr = el("tr");
      var th = el("th", "", row.label);
      th.scope = "row";
      tr.appendChild(th);
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
      block.appendChild(el("h3", "", p.full_name || p.name));
      var seen = {};
      var once = function (items) {
        return (items || []).filter(function (t) {
          if (seen[t]) return false;
          seen[t] = true;
          return true;
        });
      };
      var pros = once(p.pros), cons = once(p.cons);
      if (pros.length) block.appendChild(list(pros.map(function (t) { return "+ " + t; }), "pros"));
      if (cons.length) block.appendChild(list(cons.map(function (t) { return "− " + t; }), "cons"));
      if (p.known_issues && p.known_issues.length) block.appendChild(issuesList(p.known_issues));
      block.appendChild(linksLine(p.source_links || p.sources, p.as_of));
      if (p.actions && p.actions.length) block.appendChild(stepsRow(p.actions));
      wrap.appendChild(block);
    });
    return wrap;
  }

  function nothingFits(payload, live) {
    var box = el("div", "nothing-fits");
    box.appendChild(el("h2", "", "Nothing meets all your needs"));
    var nearest = el("ul");
    (payload.nearest || []).forEach(function (p) {
      var misses = (p.fails || []).map(function (f) { return f.text; }).join("; ");
      nearest.appendChild(el("li", "", p.name + ": " + misses));
    });
    box.appendChild(el("h3", "", "Nearest"));
    box.appendChild(nearest);
    var buttons = payload.buttons || [];
    var useful = (payload.relaxations || []).filter(function (r) { return r.matches > 0; });
    if (buttons.length) {
      box.appendChild(el("h3", "", "If you relax one need"));
      if (live) box.appendChild(quickReplies(buttons));
      else box.appendChild(list(buttons.map(function (b) { return b.title; })));
    } else if (useful.length) {
      box.appendChild(el("h3", "", "If you relax one need"));
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


  function dollars(amount) {
    return amount === null || amount === undefined ? "no figure" : "$" + Number(amount).toLocaleString();
  }

  function costToOwn(payload) {
    var box = el("div", "cost");
    var scroller = el("div", "table-scroll");
    scroller.tabIndex = 0;
    scroller.setAttribute("role", "region");
    scroller.setAttribute("aria-label", "Cost to own");
    var table = el("table");
    table.appendChild(el("caption", "", "Cost to own the " + ((payload.product || {}).name || "") +
      ": " + payload.years + " years at " + Number(payload.usage).toLocaleString() + " " +
      (payload.usage_label || "")));
    var head = el("tr");
    ["Cost", "A year", payload.years + " years"].forEach(function (text) {
      var th = el("th", "", text);
      th.scope = "col";
      head.appendChild(th);
    });
    var thead = el("thead");
    thead.appendChild(head);
    table.appendChild(thead);
    var body = el("tbody");
    (payload.lines || []).forEach(function (line) {
      var tr = el("tr");
      var th = el("th", "", line.label);
      th.scope = "row";
      if (line.basis) th.appendChild(el("span", "basis", line.basis));
      (line.sources || []).forEach(function (source) { withCite(th, source); });
      tr.appendChild(th);
      tr.appendChild(el("td", "num", dollars(line.per_year)));
      tr.appendChild(el("td", "num", dollars(line.total)));
      body.appendChild(tr);
    });
    var total = el("tr", "total");
    var label = el("th", "", "Total");
    label.scope = "row";
    total.appendChild(label);
    total.appendChild(el("td", "num", dollars(payload.per_year)));
    total.appendChild(el("td", "num", dollars(payload.total)));
    body.appendChild(total);
    table.appendChild(body);
    scroller.appendChild(table);
    box.appendChild(scroller);
    if (payload.averages_note) box.appendChild(el("p", "note-line", payload.averages_note));
    if (payload.excludes) box.appendChild(el("p", "note-line", "Not included: " + payload.excludes + "."));
    if (payload.price) {
      box.appendChild(withCite(el("p", "note-line", "For reference, " + payload.price.label +
        ": " + payload.price.value), payload.price.source));
    }
    if (payload.edit && Array.isArray(payload.edit.fields)) box.appendChild(termsForm(payload.edit));
    return box;
  }

  // "Change the years and miles": fills the numbers into the payload the bot gave.
  function termsForm(edit) {
    var formNode = el("form", "terms");
    var values = {};
    edit.fields.forEach(function (field) {
      var id = "terms-" + field.name + "-" + Math.random().toString(36).slice(2, 8);
      var wrap = el("span", "field");
      var labelNode = el("label", "", field.label);
      labelNode.htmlFor = id;
      var box = el("input");
      box.type = "number";
      box.id = id;
      box.name = field.name;
      box.value = field.value;
      box.min = field.min;
      box.max = field.max;
      box.step = field.step || 1;
      box.required = true;
      values[field.name] = box;
      wrap.appendChild(labelNode);
      wrap.appendChild(box);
      formNode.appendChild(wrap);
    });
    var button = el("button", "step", edit.title || "Update");
    button.type = "submit";
    formNode.appendChild(button);
    formNode.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!formNode.reportValidity()) return;
      var payload = edit.payload, label = edit.label || edit.title;
      for (var name in values) {
        var number = Math.round(Number(values[name].value));
        payload = payload.split("{" + name + "}").join(String(number));
        label = label.split("{" + name + "}").join(number.toLocaleString());
      }
      send(payload, label);
    });
    return formNode;
  }

  function productDetails(payload) {
    var wrap = el("div", "cards details");
    if (payload.item) wrap.appendChild(card(payload.item, 0));
    return wrap;
  }

  // ---- the plain text a rich payload stands for ---------------------------------------------

  // A rich payload is the rich form of the text the bot sent just before it in the same turn:
  // a bubble of that turn that names the payload's products and is a list or carries links is
  // folded to its first line (or the payload's summary); the payload shows the rest.
  function payloadNames(custom) {
    var found = [];
    ["items", "products", "nearest"].forEach(function (key) {
      (custom[key] || []).forEach(function (p) {
        if (p && (p.name || p.full_name)) found.push(p.full_name || p.name);
        if (p && p.name) found.push(p.name);
      });
    });
    if (custom.item && custom.item.name) found.push(custom.item.name);
    if (custom.product && custom.product.name) found.push(custom.product.name);
    return found;
  }

  function foldSuperseded(custom) {
    var wanted = payloadNames(custom);
    if (!wanted.length) return;
    var node = messages.lastElementChild, folded = false;
    while (node && !node.classList.contains("user")) {
      var bubble = node.classList.contains("bot") ? node.querySelector(".bubble.text") : null;
      if (bubble && !bubble.dataset.folded) {
        var full = bubble.dataset.full || bubble.textContent;
        var rich = full.indexOf("\n") !== -1 || HAS_URL.test(full);
        var named = wanted.some(function (n) { return full.indexOf(n) !== -1; });
        if (rich && named) {
          var headline = !folded && custom.summary ? custom.summary : full.split("\n")[0];
          if (folded || HAS_URL.test(headline)) headline = custom.summary || "";
          if (headline) {
            bubble.replaceWith(linkedText("p", "bubble text", headline));
          } else {
            bubble.remove();
          }
          folded = true;
        }
      }
      var previous = node.previousElementSibling;
      if (node.classList.contains("bot") && !node.querySelector(".bubble, .cards, .comparison, .nothing-fits, .might-fit, .cost, .sources, .quick-replies")) {
        node.remove();
      }
      node = previous;
    }
  }

  function relabelLinks(custom) {
    var node = messages.lastElementChild;
    while (node && !node.classList.contains("user")) {
      Array.prototype.forEach.call(node.querySelectorAll("a.cite"), function (a) {
        var label = linkLabels[a.href] || linkLabels[a.getAttribute("href")];
        if (label) a.textContent = label;
      });
      node = node.previousElementSibling;
    }
  }

  // ---- rows ---------------------------------------------------------------------------------

  function stamp(row, at) {
    var when = new Date(typeof at === "number" ? at : Date.now());
    var time = el("time", "time", when.toLocaleTimeString([], { hour: "numeric", minute: "2-digit" }));
    time.dateTime = when.toISOString();
    row.appendChild(time);
  }

  function hideSuggestions() {
    if (suggestions) suggestions.hidden = true;
  }

  function renderUser(text, at) {
    var row = el("div", "row user");
    row.appendChild(el("p", "bubble", text));
    stamp(row, at);
    messages.appendChild(row);
    hideSuggestions();
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

  var RICH = {
    product_cards: productCards,
    comparison_table: comparisonTable,
    cost_to_own: costToOwn,
    product_details: productDetails
  };

  function renderBot(msg, live, at) {
    var row = el("div", "row bot");
    var staff = msg.sender && msg.sender.role === "staff";
    if (staff) {
      row.className = "row staff";
      row.appendChild(el("p", "who", (msg.sender.name || "Support") + " · support team"));
    }
    var custom = msg.custom && typeof msg.custom === "object" ? msg.custom : null;
    if (custom) learnLabels(custom);
    if (typeof msg.text === "string" && msg.text) {
      var bubble = linkedText("p", msg.refused ? "bubble text refused" : "bubble text", msg.text);
      bubble.dataset.full = msg.text;
      row.appendChild(bubble);
    }
    if (Array.isArray(msg.quick_replies) && msg.quick_replies.length && live) {
      row.appendChild(quickReplies(msg.quick_replies));
    }
    if (custom) {
      if (RICH[custom.type]) {
        foldSuperseded(custom);
        row.appendChild(RICH[custom.type](custom));
        if (Array.isArray(custom.buttons) && custom.buttons.length && live) {
          row.appendChild(quickReplies(custom.buttons));
        }
      } else if (custom.type === "nothing_fits") {
        foldSuperseded(custom);
        row.appendChild(nothingFits(custom, live));
      } else if (custom.type === "citations" && (custom.items || []).length) {
        relabelLinks(custom);
        row.appendChild(linksLine(custom.items, null));
      } else if (custom.type === "handoff" && live) {
        setHandoff("waiting");
      }
      if ((custom.type === "product_cards" || custom.type === "nothing_fits") &&
          custom.might_also_fit) {
        row.appendChild(mightFit(custom.might_also_fit));
      }
    }
    if (live) {
      if (staff) setHandoff("staff", msg.sender.name);
      if (["returned", "closed", "abandoned"].indexOf(msg.handoff) !== -1) setHandoff(null);
    }
    if (row.childNodes.length > (staff ? 1 : 0)) {
      stamp(row, at);
      messages.appendChild(row);
      return true;
    }
    return false;
  }

  function showNote(text) {
    note.textContent = text;
    note.hidden = !text;
  }

  function grow() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight + 2, 176) + "px";
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

  // `shown`: the words the conversation shows for a button's payload (its title or label).
  function send(text, shown) {
    if (!text || !text.trim()) return;
    if (text.length > MAX_CHARS) {
      checkLength();
      return;
    }
    clearQuickReplies();
    var at = Date.now();
    renderUser(shown || text, at);
    remember({ who: "user", text: shown || text, at: at });
    var message = { message: text, session_id: sessionId };
    if (shown && shown !== text) message.metadata = { shown: shown };
    socket.emit("user_uttered", message);
    var handoff = load(HANDOFF_KEY, null);
    showTyping(!handoff);
    scrollDown();
    input.focus();
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
          receive(msg);
        });
        scrollDown();
      })
      .catch(function () { /* offline: the next connect tries again */ });
  }

  function receive(msg) {
    var at = Date.now();
    if (renderBot(msg, true, at)) announce((msg.sender && msg.sender.name ? msg.sender.name + ": " : "") + describe(msg));
    remember({ who: "bot", msg: msg, at: at });
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
    receive(msg);
    scrollDown();
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!checkLength()) return;
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    checkLength();
    grow();
    send(text);
  });
  input.addEventListener("input", function () {
    checkLength();
    grow();
  });
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
  if (suggestions) {
    Array.prototype.forEach.call(suggestions.querySelectorAll("button[data-text]"), function (button) {
      button.addEventListener("click", function () { send(button.getAttribute("data-text")); });
    });
  }

  history.forEach(function (entry, index) {
    if (entry.who === "user") renderUser(entry.text, entry.at);
    else if (entry.msg) renderBot(entry.msg, index === history.length - 1, entry.at);
  });
  var handoff = load(HANDOFF_KEY, null);
  if (handoff) setHandoff(handoff.state, handoff.name);
  scrollDown();
  input.focus();
})();

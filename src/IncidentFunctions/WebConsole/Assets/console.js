// The console's one script, loaded after htmx. Pages work without it for reading; it lets their forms call the JSON
// API the same way any client does (the console renders exactly that API), and shows the API's refusals in the form.
//
// A form opts in with hx-ext="json-api" (the layout sets it on <body>), hx-post/hx-patch/hx-put/hx-delete naming an
// API route, and hx-swap="none". Then:
//   - its fields are sent as a JSON object: empty fields are left out (the API reads absent as "unchanged" or
//     "default"), data-json="number|boolean|list|lines|object|instant" on a field sends it typed (a list splits on
//     commas or lines, lines on lines only, for free text such as options that may hold commas; an instant is a
//     datetime-local value, which has no zone, sent as the ISO UTC instant the viewer's clock means, so that "10:00"
//     typed in Berlin is 09:00Z);
//   - a form with data-body="file" sends its one file input's file as the body instead, with its type; the file's name
//     goes in the query parameter data-file-name names (the API reads it there), and a file over the input's
//     data-max-bytes is refused in the form before it is sent;
//   - every request carries an Idempotency-Key, kept across a retry of the same submission and renewed after an
//     answer; a form marked data-if-match sends If-Match with the ETag of the closest element carrying data-etag, so
//     an edit decided on a stale page (severity, stage, a hand-off) is refused (412) instead of overwriting another's;
//   - an answer 2xx resets the form and raises "console:changed" on <body>, which the page's live parts listen to;
//     a problem+json refusal is written, as text, into the form's [data-problem] element;
//   - a form marked data-then="incident" goes, on a 201, to the console page of the incident the answer's Location
//     names: its last path segment fills the "{id}" of the form's data-then-href (the declare page's way to the new
//     incident). Only the id is taken from the answer; the address is the page's own.
//
// Keeping what people type. A polled region (the incident page's #incident-live) is replaced whole when it changes,
// and its forms with it. So when a region with an id that holds forms is about to be swapped, the script notes, form
// by form (a form is known by its method and route), what the person put there: the fields they changed from the
// form's defaults, which <details> they opened, a refusal shown in [data-problem], a kept Idempotency-Key, and where
// the focus and the caret were; and puts all of it into the same form of the new region right after the swap. The
// swap is never held: the header and everything else in the region still show the incident as it is now, and a form
// that is no longer offered (the incident moved on) is simply gone. Copying was chosen over holding the swap because a
// held region also keeps a stale data-etag, and the refresh after a 412 must be let through anyway to show what
// changed, which would wipe the form and the refusal at the very moment the person needs both.
//
// A form carried over a change keeps the If-Match of what the page showed when the person was typing, not the new
// region's: the first swap that finds a data-if-match form changed pins the region's ETag on the form (its own
// data-etag, which the closest("[data-etag]") lookup finds first). So an edit decided before someone else's change is
// refused (412) rather than applied over it, as before, though the page now shows the change. After a 412 the pin is
// dropped and the form marked data-refused until it succeeds: the refusal told the person to check what changed, and
// from then on their next try is judged against what the page shows when they send it, the page's live ETag.
(function () {
  "use strict";

  function typed(kind, value) {
    switch (kind) {
      case "number": return Number(value);
      case "boolean": return value === "true" || value === "on";
      case "list": return items(value.split(/[,\n]/));
      case "lines": return items(value.split("\n"));
      case "object": return JSON.parse(value);
      case "instant": return instant(value);
      default: return value;
    }
  }

  function items(parts) {
    return parts.map(function (s) { return s.trim(); }).filter(function (s) { return s.length > 0; });
  }

  // new Date("2026-12-04T10:00") reads a date and time without an offset as local time; a value the browser cannot
  // read is sent as typed, for the API to refuse by name.
  function instant(value) {
    var at = new Date(value);
    return isNaN(at.getTime()) ? value : at.toISOString();
  }

  function fieldKind(form, name) {
    var field = form.querySelector('[name="' + CSS.escape(name) + '"]');
    return field ? field.getAttribute("data-json") : null;
  }

  function formOf(elt) {
    return elt.closest("form") || elt;
  }

  function fileOf(form) {
    var input = form.querySelector('input[type="file"]');
    return input && input.files && input.files.length > 0 ? input.files[0] : null;
  }

  function problemText(xhr) {
    var type = xhr.getResponseHeader("Content-Type") || "";
    if (xhr.status === 401) {
      return "Your sign-in has ended: reload the page to sign in again.";
    }
    if (type.indexOf("json") < 0) {
      return "The request failed (" + xhr.status + "). Nothing was changed; try again.";
    }
    try {
      var problem = JSON.parse(xhr.responseText);
      var lines = [problem.title || ("Refused (" + xhr.status + ")")];
      if (problem.detail) { lines.push(problem.detail); }
      var errors = problem.errors || {};
      Object.keys(errors).forEach(function (field) {
        [].concat(errors[field]).forEach(function (rule) { lines.push(field + ": " + rule); });
      });
      if (xhr.status === 412) {
        lines.push("Someone changed this incident since the page showed it: the page has been brought up to date; check it and try again.");
      }
      return lines.join("\n");
    } catch (e) {
      return "The request failed (" + xhr.status + ").";
    }
  }

  function followCreated(form, xhr) {
    if (form.getAttribute("data-then") !== "incident" || xhr.status !== 201) { return false; }
    var location = xhr.getResponseHeader("Location");
    var template = form.getAttribute("data-then-href");
    if (!location || !template || template.indexOf("{id}") < 0) { return false; }
    var segments = new URL(location, window.location.href).pathname.split("/");
    var id = decodeURIComponent(segments[segments.length - 1] || "");
    if (!id) { return false; }
    window.location.assign(template.replace("{id}", encodeURIComponent(id)));
    return true;
  }

  // A form's identity across two renderings of its region: its method and route.
  function formKey(form) {
    var verbs = ["hx-post", "hx-put", "hx-patch", "hx-delete"];
    for (var i = 0; i < verbs.length; i++) {
      if (form.hasAttribute(verbs[i])) { return verbs[i] + " " + form.getAttribute(verbs[i]); }
    }
    return null;
  }

  function each(list, action) { Array.prototype.forEach.call(list, action); }

  function defaultIndex(select) {
    var index = -1;
    each(select.options, function (option, i) { if (option.defaultSelected) { index = i; } });
    return index < 0 && !select.multiple && select.size <= 1 ? 0 : index;
  }

  function changed(field) {
    switch (field.type) {
      case "checkbox": case "radio": return field.checked !== field.defaultChecked;
      case "select-one": return field.selectedIndex !== defaultIndex(field);
      case "select-multiple": return Array.prototype.some.call(field.options, function (o) { return o.selected !== o.defaultSelected; });
      case "file": return !!(field.files && field.files.length > 0);
      case "submit": case "button": case "reset": case "fieldset": case undefined: return false;
      default: return field.value !== field.defaultValue;
    }
  }

  function typedInto(form) { return Array.prototype.some.call(form.elements, changed); }

  function twinOf(field, form) {
    return Array.prototype.find.call(form.elements, function (other) {
      return other.name === field.name && other.type === field.type &&
        ((field.type !== "checkbox" && field.type !== "radio") || other.value === field.value);
    });
  }

  function copyInto(from, to) {
    each(from.elements, function (field) {
      var twin = field.name ? twinOf(field, to) : null;
      if (!twin) { return; }
      if (field.type === "checkbox" || field.type === "radio") {
        twin.checked = field.checked;
      } else if (field.tagName === "SELECT") {
        each(twin.options, function (option) {
          option.selected = Array.prototype.some.call(field.selectedOptions, function (s) { return s.value === option.value; });
        });
      } else if (field.type === "file") {
        twin.files = field.files;
      } else {
        twin.value = field.value;
      }
    });
  }

  // What the person put into the region's forms, noted just before the region is swapped; null between swaps.
  var held = null;

  function hold(region) {
    var forms = region.id ? region.querySelectorAll("form") : [];
    if (forms.length === 0) { held = null; return; }
    var active = document.activeElement;
    held = { id: region.id, forms: [] };
    each(forms, function (form) {
      var key = formKey(form);
      if (!key) { return; }
      var typed = typedInto(form);
      var pin = form.getAttribute("data-etag");
      if (!pin && typed && form.hasAttribute("data-if-match") && !form.hasAttribute("data-refused")) {
        pin = region.getAttribute("data-etag");
      }
      var details = form.closest("details");
      var problem = form.querySelector("[data-problem]");
      held.forms.push({
        key: key,
        form: typed ? form : null,
        pin: pin,
        refused: form.hasAttribute("data-refused"),
        open: details && region.contains(details) ? details.open : null,
        problem: problem ? problem.textContent : "",
        idempotencyKey: form.dataset.idempotencyKey,
        focus: active && form.contains(active) ? {
          name: active.name, type: active.type, value: active.value, submit: active.type === "submit",
          start: active.selectionStart, end: active.selectionEnd,
        } : null,
      });
    });
  }

  function restore(region) {
    var kept = held;
    held = null;
    if (!kept || !region.id || region.id !== kept.id) { return; }
    var twins = {};
    each(region.querySelectorAll("form"), function (form) {
      var key = formKey(form);
      if (key && !twins[key]) { twins[key] = form; }
    });
    kept.forms.forEach(function (state) {
      var form = twins[state.key];
      if (!form) { return; }
      var details = form.closest("details");
      if (details && state.open !== null) { details.open = state.open; }
      if (state.form) { copyInto(state.form, form); }
      if (state.pin) { form.setAttribute("data-etag", state.pin); }
      if (state.refused) { form.setAttribute("data-refused", ""); }
      if (state.idempotencyKey) { form.dataset.idempotencyKey = state.idempotencyKey; }
      var problem = form.querySelector("[data-problem]");
      if (problem && state.problem) { problem.textContent = state.problem; }
      if (state.focus) {
        var field = state.focus.submit ? form.querySelector('[type="submit"]') : twinOf(state.focus, form);
        if (field) {
          field.focus({ preventScroll: true });
          if (typeof state.focus.start === "number" && field.setSelectionRange) {
            try { field.setSelectionRange(state.focus.start, state.focus.end); } catch (e) { /* not a text field */ }
          }
        }
      }
    });
  }

  htmx.defineExtension("json-api", {
    onEvent: function (name, evt) {
      if (name === "htmx:beforeSwap") {
        if (evt.detail.shouldSwap && evt.detail.target) { hold(evt.detail.target); }
        return;
      }
      if (name === "htmx:afterSwap") {
        if (held && evt.target && evt.target.id) { restore(evt.target); }
        return;
      }
      var elt = evt.detail && evt.detail.elt;
      if (!elt || !elt.closest) { return; }
      var form = formOf(elt);
      if (name === "htmx:configRequest") {
        var verb = (evt.detail.verb || "get").toLowerCase();
        evt.detail.headers["X-Requested-With"] = "XMLHttpRequest";
        if (verb === "get") { return; }
        if (!form.dataset.idempotencyKey) { form.dataset.idempotencyKey = crypto.randomUUID(); }
        evt.detail.headers["Idempotency-Key"] = form.dataset.idempotencyKey;
        var versioned = form.hasAttribute("data-if-match") ? form.closest("[data-etag]") : null;
        if (versioned) {
          evt.detail.headers["If-Match"] = versioned.getAttribute("data-etag");
        }
        var file = form.getAttribute("data-body") === "file" ? fileOf(form) : null;
        if (file) {
          var input = form.querySelector('input[type="file"]');
          var max = Number(input.getAttribute("data-max-bytes"));
          if (max > 0 && file.size > max) {
            var tooLarge = form.querySelector("[data-problem]");
            if (tooLarge) { tooLarge.textContent = "The file is " + file.size + " bytes; at most " + max + " are taken. Nothing was sent."; }
            delete form.dataset.idempotencyKey;
            evt.preventDefault();
            return;
          }
          var nameParameter = form.getAttribute("data-file-name");
          if (nameParameter) {
            evt.detail.path += (evt.detail.path.indexOf("?") < 0 ? "?" : "&") + encodeURIComponent(nameParameter) + "=" + encodeURIComponent(file.name);
          }
          evt.detail.headers["Content-Type"] = file.type || "application/octet-stream";
          evt.detail.headers["Content-Disposition"] = "attachment; filename*=UTF-8''" + encodeURIComponent(file.name);
        } else if (verb !== "delete") {
          evt.detail.headers["Content-Type"] = "application/json";
        }
      } else if (name === "htmx:afterRequest") {
        var xhr = evt.detail.xhr;
        var verbDone = (evt.detail.requestConfig && evt.detail.requestConfig.verb || "get").toLowerCase();
        if (verbDone === "get") { return; }
        var problem = form.querySelector("[data-problem]");
        // A network failure or a server error may have been applied or not: keep the key, so the retry is the same request.
        if (xhr.status === 0 || xhr.status >= 500) {
          if (problem) { problem.textContent = xhr.status === 0 ? "No answer from the server; nothing is known to have changed. Try again." : problemText(xhr); }
          return;
        }
        delete form.dataset.idempotencyKey;
        if (evt.detail.successful) {
          if (problem) { problem.textContent = ""; }
          if (form.tagName === "FORM") {
            form.removeAttribute("data-etag");
            form.removeAttribute("data-refused");
          }
          if (followCreated(form, xhr)) { return; }
          if (form.tagName === "FORM" && !form.hasAttribute("data-keep")) { form.reset(); }
          htmx.trigger(document.body, "console:changed");
        } else {
          if (problem) { problem.textContent = problemText(xhr); }
          if (xhr.status === 412) {
            if (form.tagName === "FORM") {
              form.removeAttribute("data-etag");
              form.setAttribute("data-refused", "");
            }
            htmx.trigger(document.body, "console:changed");
          }
        }
      }
    },
    encodeParameters: function (xhr, parameters, elt) {
      var form = formOf(elt);
      if (form.getAttribute("data-body") === "file") {
        return fileOf(form);
      }
      xhr.overrideMimeType("text/json");
      var body = {};
      parameters.forEach(function (value, name) {
        if (typeof value !== "string" || value.length === 0) { return; }
        var kind = fieldKind(form, name);
        var parsed = typed(kind, value);
        if ((kind === "list" || kind === "lines") && Array.isArray(body[name])) {
          body[name] = body[name].concat(parsed);
        } else {
          body[name] = parsed;
        }
      });
      // A checkbox left unticked sends nothing; one marked data-json="boolean" means false then.
      form.querySelectorAll('input[type="checkbox"][data-json="boolean"]').forEach(function (box) {
        if (!(box.name in body)) { body[box.name] = false; }
      });
      return JSON.stringify(body);
    }
  });
})();

// Kept fresh between renders, without a request:
//   - an element with data-running-ms (how long the incident had run when the server rendered it) shows that time
//     plus the time since it came into the page, in the server's format (IncidentText.Duration), every 15 seconds:
//     measured on the browser's clock from its arrival only, so a skew between the two clocks changes nothing;
//   - when a poll finds the sign-in ended (401) or gets no answer at all (the network, or a sign-in in front of the app
//     that redirects a script's request to its login page, which the browser refuses to follow across origins), a
//     banner says since when the page is not up to date; the next poll that succeeds removes it;
//   - an element with data-pinned (the incident's pinned event ids, as JSON) marks exactly those timeline entries
//     ([data-event]) "Pinned" whenever it is rendered, so a pin made elsewhere shows on entries already on the page.
(function () {
  "use strict";

  function duration(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    var d = Math.floor(s / 86400), h = Math.floor(s / 3600), m = Math.floor(s / 60);
    if (d >= 1) { return d + " d " + (h % 24) + " h"; }
    if (h >= 1) { return h + " h " + (m % 60) + " min"; }
    if (m >= 1) { return m + " min"; }
    return s + " s";
  }

  function tick() {
    document.querySelectorAll("[data-running-ms]").forEach(function (el) {
      if (!el.dataset.arrived) { el.dataset.arrived = String(Date.now()); }
      el.textContent = duration(Number(el.getAttribute("data-running-ms")) + Date.now() - Number(el.dataset.arrived));
    });
  }

  function markPins(root) {
    // Only when the incident's state itself was rendered: a timeline poll's entries carry the pins of their own read.
    var source = root.matches && root.matches("[data-pinned]") ? root : (root.querySelector && root.querySelector("[data-pinned]"));
    if (!source) { return; }
    var pinned;
    try { pinned = JSON.parse(source.getAttribute("data-pinned")); } catch (e) { return; }
    if (!Array.isArray(pinned)) { return; }
    document.querySelectorAll("[data-event]").forEach(function (entry) {
      var on = pinned.indexOf(entry.getAttribute("data-event")) >= 0;
      var badge = entry.querySelector(".badge.pin");
      if (on && !badge) {
        badge = document.createElement("span");
        badge.className = "badge pin";
        badge.textContent = "Pinned";
        var head = entry.querySelector(".event-head");
        if (head) { head.appendChild(badge); }
      } else if (!on && badge) {
        badge.remove();
      }
    });
  }

  var staleSince = null;

  function stale(text) {
    var banner = document.getElementById("console-stale");
    if (!text) {
      staleSince = null;
      if (banner) { banner.remove(); }
      return;
    }
    if (!banner) {
      banner = document.createElement("p");
      banner.id = "console-stale";
      banner.className = "stale";
      banner.setAttribute("role", "alert");
      var main = document.getElementById("content") || document.body;
      main.insertBefore(banner, main.firstChild);
    }
    banner.textContent = text;
  }

  // Which polls' last answer was a failure, by the polling element (its id, else its address without the query): the
  // banner stays while any is failing, so one poll that still works does not hide another that stopped.
  var failing = {};

  document.addEventListener("htmx:afterRequest", function (evt) {
    var verb = (evt.detail.requestConfig && evt.detail.requestConfig.verb || "get").toLowerCase();
    if (verb !== "get") { return; }
    var elt = evt.detail.elt;
    var key = (elt && elt.id) || String(evt.detail.pathInfo && evt.detail.pathInfo.requestPath || "").split("?")[0];
    var status = evt.detail.xhr ? evt.detail.xhr.status : 0;
    if (status === 401 || status === 0) {
      failing[key] = status;
    } else if (evt.detail.successful) {
      delete failing[key];
    }
    var statuses = Object.keys(failing).map(function (k) { return failing[k]; });
    if (statuses.length === 0) { stale(null); return; }
    staleSince = staleSince || new Date();
    var since = staleSince.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    stale(statuses.indexOf(401) >= 0
      ? "Your sign-in has ended: this page stopped updating at " + since + ". Reload it to sign in again."
      : "No answer from the server since " + since + ": what this page shows may be out of date. It keeps trying.");
  });

  htmx.onLoad(function (root) {
    tick();
    markPins(root);
  });
  setInterval(tick, 15000);
})();

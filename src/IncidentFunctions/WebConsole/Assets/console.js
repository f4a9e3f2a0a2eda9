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

  htmx.defineExtension("json-api", {
    onEvent: function (name, evt) {
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
          if (followCreated(form, xhr)) { return; }
          if (form.tagName === "FORM" && !form.hasAttribute("data-keep")) { form.reset(); }
          htmx.trigger(document.body, "console:changed");
        } else {
          if (problem) { problem.textContent = problemText(xhr); }
          if (xhr.status === 412) { htmx.trigger(document.body, "console:changed"); }
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

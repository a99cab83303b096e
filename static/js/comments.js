/* Comments: post without reloading the page. Without this script every form still works (the server
   answers with a page); with it, the form is sent in the background and the server answers with the new
   comment (201) or with the form and its errors, the typed text kept (any other status: the form is sent
   the ordinary way). The result is announced to screen readers and focus moves to it. */
(function () {
  "use strict";

  var section = document.querySelector("[data-comments]");
  if (!section || !window.fetch || !window.FormData) return;
  var status = section.querySelector("[data-comment-status]");

  function announce(text) {
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  function fragment(html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  }

  function addComment(form, node) {
    var parentField = form.querySelector("input[name=parent]");
    var parentId = parentField && parentField.value;
    var permalink = node.querySelector("[data-permalink]");
    if (!parentId && section.hasAttribute("data-comments-continue") && permalink) {
      // A new comment goes at the end of the thread, on a later page than this one: go to it there.
      window.location.assign(permalink.href);
      return;
    }
    var list = parentId
      ? section.querySelector('[data-replies-to="' + parentId + '"]')
      : section.querySelector("[data-comment-list]");
    if (parentId) {
      // A reply's fragment is a whole comment: keep only its body inside a reply's <li>.
      var replies = node.querySelector("[data-replies-to]");
      var box = node.querySelector(".reply-box");
      if (replies) replies.remove();
      if (box) box.remove();
    }
    list.appendChild(node);
    var empty = section.querySelector("[data-no-comments]");
    if (empty) empty.remove();
    var count = section.querySelector("[data-comment-count]");
    if (count) {
      var n = parseInt(count.textContent.replace(/\D/g, ""), 10) || 0;
      count.textContent = "(" + (n + 1) + ")";
    }
    node.querySelectorAll("[data-comment-form]").forEach(bind);
    form.reset();
    var details = form.closest("details");
    if (details) details.open = false;
    node.setAttribute("tabindex", "-1");
    node.focus();
    announce(parentId ? "Your reply is posted." : "Your comment is posted.");
  }

  function showErrors(form, node) {
    form.replaceWith(node);
    bind(node);
    var summary = node.querySelector(".error-summary");
    (summary || node.querySelector("textarea")).focus();
    announce("Your comment was not posted: see the message.");
  }

  function bind(form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      if (button) button.disabled = true;
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { "X-Requested-With": "fetch" },
        credentials: "same-origin",
      })
        .then(function (response) {
          return response.text().then(function (html) { return { status: response.status, html: html }; });
        })
        .then(function (answer) {
          if (button) button.disabled = false;
          if (answer.status === 201) {
            addComment(form, fragment(answer.html));
          } else if (answer.status === 200 || answer.status === 409 || answer.status === 429) {
            showErrors(form, fragment(answer.html));
          } else {
            form.submit(); // the ordinary way: the server's page says what happened
          }
        })
        .catch(function () {
          if (button) button.disabled = false;
          form.submit();
        });
    });
  }

  section.querySelectorAll("[data-comment-form]").forEach(bind);
})();

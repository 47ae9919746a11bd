// The task board's drag and drop: a card dropped on another column is sent with the
// card's own move form (its CSRF token and status list), as a keyboard user would send
// it. The server puts a moved task at the end of its new column, so the card is shown
// there; should the move fail, it goes back where it was and the reason is announced.
"use strict";

(function () {
  const board = document.querySelector(".board");
  if (!board) return;
  const announce = document.getElementById("board-status");
  let dragged = null;

  function say(text) {
    if (announce) announce.textContent = text;
  }

  function recount(column) {
    const count = column.querySelector("h2 .count");
    if (count) count.textContent = "(" + column.querySelectorAll(".task").length + ")";
  }

  async function send(card, column) {
    const form = card.querySelector("form.move");
    const select = form.querySelector("select");
    const from = card.closest(".column");
    const home = card.nextElementSibling;
    const name = card.querySelector("h3").textContent;
    const data = new URLSearchParams(new FormData(form));
    data.set("task_status_uuid", column.dataset.status);
    column.querySelector(".cards").appendChild(card);
    recount(from);
    recount(column);
    let answer = null;
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: data,
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      answer = response.ok ? await response.json() : null;
      if (!answer) {
        const failed = await response.json().catch(() => null);
        say("Could not move " + name + ": " + ((failed && failed.message) || "the page has expired; reload it."));
      }
    } catch (error) {
      say("Could not move " + name + ": the server did not answer.");
    }
    if (answer) {
      select.value = answer.status.uuid;
      say("Moved " + name + " to " + answer.status.name + ".");
    } else {
      from.querySelector(".cards").insertBefore(card, home);
      recount(from);
      recount(column);
    }
  }

  board.addEventListener("dragstart", function (event) {
    const card = event.target.closest && event.target.closest(".task[draggable='true']");
    if (!card) return;
    dragged = card;
    card.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.task);
  });

  board.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    board.querySelectorAll(".column.over").forEach((c) => c.classList.remove("over"));
  });

  function target(event) {
    const column = event.target.closest && event.target.closest(".column[data-drop]");
    return dragged && column ? column : null;
  }

  board.addEventListener("dragover", function (event) {
    const column = target(event);
    if (!column) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    column.classList.add("over");
  });

  board.addEventListener("dragleave", function (event) {
    const column = target(event);
    if (column && !column.contains(event.relatedTarget)) column.classList.remove("over");
  });

  board.addEventListener("drop", function (event) {
    const column = target(event);
    if (!column) return;
    event.preventDefault();
    column.classList.remove("over");
    const card = dragged;
    if (card.closest(".column") !== column) send(card, column);
  });
})();

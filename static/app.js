// Asks before a form marked data-confirm is sent (remove, publish, disable).
// Without JavaScript the forms still work; this only adds a second chance.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

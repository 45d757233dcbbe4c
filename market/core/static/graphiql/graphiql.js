/* Starts GraphiQL on the page market/core/templates/graphiql/graphiql.html renders, with the
 * settings it puts in the #graphiql element's data attributes (an inline script would need an
 * exception in the Content-Security-Policy). The query, variables and operation name are kept
 * in the URL's fragment, so that a link shares them. */
(function (window, document, React, ReactDOM, GraphiQL) {
  "use strict";

  var root = document.getElementById("graphiql");
  var options = root.dataset;
  var parameters = new URLSearchParams(window.location.hash.slice(1));

  function remember(name) {
    return function (value) {
      if (value) {
        parameters.set(name, value);
      } else {
        parameters.delete(name);
      }
      window.history.replaceState(null, "", "#" + parameters.toString());
    };
  }

  ReactDOM.render(
    React.createElement(GraphiQL, {
      fetcher: GraphiQL.createFetcher({ url: options.endpoint }),
      query: parameters.get("query") || undefined,
      variables: parameters.get("variables") || undefined,
      operationName: parameters.get("operationName") || undefined,
      onEditQuery: remember("query"),
      onEditVariables: remember("variables"),
      onEditOperationName: remember("operationName"),
      isHeadersEditorEnabled: options.headerEditor === "true",
      shouldPersistHeaders: options.persistHeaders === "true",
      inputValueDeprecation: options.inputValueDeprecation === "true",
      defaultEditorToolsVisibility: true,
    }),
    root,
  );
})(window, document, window.React, window.ReactDOM, window.GraphiQL);

"""Errors as the client expects them: JSON under /api/, a Korean page elsewhere.

A bad parameter is a 400 naming it (raised by `SearchRequest.from_params` as
`QueryError`); a missing index is a 503 saying how to build it; anything else
unexpected is a logged 500 that reveals nothing of the server.
"""

from __future__ import annotations

from flask import jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from search.index import IndexNotFound
from search.query import QueryError

KOREAN_STATUS = {
    400: "요청이 올바르지 않습니다",
    404: "페이지를 찾을 수 없습니다",
    405: "허용되지 않는 요청 방식입니다",
    413: "요청이 너무 큽니다",
    500: "서버 오류가 발생했습니다",
    503: "검색 색인이 준비되지 않았습니다",
}


# An error message quotes the bad value; a 10,000-character value is quoted in part.
MAX_MESSAGE_CHARS = 300


def shorten(message: str) -> str:
    return message if len(message) <= MAX_MESSAGE_CHARS else message[: MAX_MESSAGE_CHARS - 1] + "…"


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/api"


def error_json(status: int, message: str, param: str | None = None):
    error = {"status": status, "message": message}
    if param is not None:
        error["param"] = param
    response = jsonify({"error": error})
    response.status_code = status
    return response


def error_page(status: int, message: str):
    title = KOREAN_STATUS.get(status, "오류")
    return render_template("error.html", status=status, title=title, message=message), status


def register(app) -> None:
    @app.errorhandler(QueryError)
    def bad_parameter(exc: QueryError):
        message = shorten(str(exc))
        if wants_json():
            return error_json(400, message, exc.param)
        return error_page(400, message)

    @app.errorhandler(IndexNotFound)
    def no_index(exc: IndexNotFound):
        if wants_json():
            return error_json(503, str(exc))
        return error_page(503, str(exc))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        if wants_json():
            response = error_json(status, exc.description or exc.name)
        else:
            response = app.make_response(error_page(status, KOREAN_STATUS.get(status, exc.name)))
        # Keep what the exception says in its headers (a 405's Allow, RFC 9110).
        for name, value in exc.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        if isinstance(exc, HTTPException):
            return http_error(exc)
        app.logger.exception("unhandled error on %s", request.path)
        if wants_json():
            return error_json(500, "internal server error")
        return error_page(500, "잠시 후 다시 시도해 주세요.")

"""Errors as the client expects them: JSON under /api/, a Korean page elsewhere.

A bad parameter is a 400 naming it (raised by `SearchRequest.from_params` as
`QueryError`); a missing index is a 503 saying how to build it; anything else
unexpected is a logged 500 that reveals nothing of the server.
"""

from __future__ import annotations

from flask import jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from search import IndexNotFound, QueryError

KOREAN_STATUS = {
    400: "요청이 올바르지 않습니다",
    404: "페이지를 찾을 수 없습니다",
    405: "허용되지 않는 요청 방식입니다",
    413: "요청이 너무 큽니다",
    500: "서버 오류가 발생했습니다",
    503: "검색 색인이 준비되지 않았습니다",
}


# What the page says under the title: never the title again.
KOREAN_DETAIL = {
    400: "요청에 잘못된 값이 있습니다.",
    404: "주소가 바뀌었거나 없는 페이지·기사입니다. 검색으로 찾아보세요.",
    405: "이 주소는 그 방식의 요청을 받지 않습니다.",
    413: "요청이 너무 깁니다. 검색어를 줄여 다시 시도해 주세요.",
    500: "잠시 후 다시 시도해 주세요.",
    503: "검색 색인을 만든 뒤에 다시 시도해 주세요. 관리자는 news-search reindex 명령으로 색인을 만듭니다.",
}

# A stable reason for clients of the API (the English `message` may be reworded).
STATUS_CODES = {
    400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "too_large",
    500: "internal_error", 503: "index_missing",
}

PARAM_KOREAN = {
    "page": "페이지 번호는 1 이상의 정수로 적어 주세요.",
    "size": "한 쪽에 보일 기사 수는 10, 20, 50 가운데 하나로 골라 주세요.",
    "sort": "정렬은 관련도순, 최신순, 오래된순 가운데 하나입니다.",
    "exact": "‘원래 검색어로 검색’ 값이 올바르지 않습니다.",
    "format": "내려받을 파일 형식은 csv 또는 json입니다.",
    "from": "시작 날짜를 읽을 수 없습니다.",
    "to": "끝 날짜를 읽을 수 없습니다.",
    "q": "검색어를 이해하지 못했습니다.",
}


def query_error_reason(exc: QueryError) -> tuple[str, str]:
    """(stable code, Korean sentence) for a bad parameter: the date parser and the
    request bounds give their own sentence; the code is told apart by parameter
    and message where the error carries none."""
    code = getattr(exc, "code", None)
    korean = getattr(exc, "korean", None)
    if code and korean:
        return code, korean
    code, default = _reason_by_parameter(exc)
    return code, korean or default


def _reason_by_parameter(exc: QueryError) -> tuple[str, str]:
    text = str(exc)
    if exc.param in ("from", "to") and " is after " in text:
        return "date_order", "시작 날짜가 끝 날짜보다 늦습니다. 두 날짜를 바꿔 보세요."
    if exc.param in ("page", "size"):
        return ("out_of_range" if "out of range" in text else "invalid_number"), PARAM_KOREAN[exc.param]
    if exc.param in ("sort", "exact", "format"):
        return "invalid_choice", PARAM_KOREAN[exc.param]
    return "invalid_parameter", PARAM_KOREAN.get(exc.param, "요청에 잘못된 값이 있습니다.")


# An error message quotes the bad value; a 10,000-character value is quoted in part.
MAX_MESSAGE_CHARS = 300


def shorten(message: str) -> str:
    return message if len(message) <= MAX_MESSAGE_CHARS else message[: MAX_MESSAGE_CHARS - 1] + "…"


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/api"


def error_json(status: int, message: str, param: str | None = None, code: str | None = None):
    error = {"status": status, "code": code or STATUS_CODES.get(status, "error"), "message": message}
    if param is not None:
        error["param"] = param
    response = jsonify({"error": error})
    response.status_code = status
    return response


def error_page(status: int, message: str | None = None):
    title = KOREAN_STATUS.get(status, "오류")
    message = message or KOREAN_DETAIL.get(status, "")
    return render_template("error.html", status=status, title=title, message=message), status


def register(app) -> None:
    @app.errorhandler(QueryError)
    def bad_parameter(exc: QueryError):
        code, korean = query_error_reason(exc)
        if wants_json():
            return error_json(400, shorten(str(exc)), exc.param, code)
        return error_page(400, korean)

    @app.errorhandler(IndexNotFound)
    def no_index(exc: IndexNotFound):
        if wants_json():
            return error_json(503, str(exc))
        return error_page(503)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        if wants_json():
            response = error_json(status, exc.description or exc.name)
        else:
            response = app.make_response(error_page(status))
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
        return error_page(500)

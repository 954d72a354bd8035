"""Reading request bodies and choosing the response format, with errors a person can act on."""

import json

from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.negotiation import DefaultContentNegotiation


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, saying in Chinese where a malformed body goes wrong."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("请求体不是可处理的 JSON：嵌套层级过深。") from None
        except ParseError as exc:
            cause = exc.__context__
            if isinstance(cause, json.JSONDecodeError):
                raise ParseError(
                    f"请求体不是有效的 JSON：第 {cause.lineno} 行第 {cause.colno} 列附近有语法错误。"
                ) from None
            if isinstance(cause, UnicodeDecodeError):
                raise ParseError("请求体不是有效的 JSON：不是 UTF-8 编码的文本。") from None
            if isinstance(cause, ValueError):
                raise ParseError("请求体不是有效的 JSON：不接受 NaN、Infinity 这样的数值。") from None
            raise ParseError("请求体的字符集不受支持：请用 UTF-8。") from None


class FormatNegotiation(DefaultContentNegotiation):
    """An unsupported `?format=` is 400 naming the formats this endpoint offers, not a 404."""

    def filter_renderers(self, renderers, format):
        matching = [renderer for renderer in renderers if renderer.format == format]
        if not matching:
            offered = "、".join(dict.fromkeys(renderer.format for renderer in renderers))
            raise ValidationError({"format": [f"不支持的格式“{format[:20]}”：此处可用 {offered}。"]})
        return matching

"""Reading the annual project list in the admin: CSV in the encodings Excel and WPS save, and the template.

On Chinese Windows, Excel's "CSV (逗号分隔)" is GBK; "CSV UTF-8" carries a BOM; other tools write
UTF-8 without one. All three are read; a file in none of them is refused with a Chinese message.
"""

import tablib
from import_export.formats.base_formats import CSV

from projects.models import Department, Official

# Tried in order: UTF-8 (a BOM is dropped) first, since GB18030 would also "decode" UTF-8 bytes wrongly.
CSV_ENCODINGS = ("utf-8-sig", "gb18030")


class FileNotReadable(ValueError):
    """The uploaded file cannot be read; the message says why, in Chinese."""


def decode_csv(data: bytes) -> str:
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileNotReadable("无法识别文件编码：请在 Excel 或 WPS 中另存为“CSV (逗号分隔)”或“CSV UTF-8”后重新上传。")


class ChineseCSV(CSV):
    """CSV read as bytes and decoded as UTF-8 (with or without BOM) or GBK/GB18030."""

    def is_binary(self):
        return True  # the admin then hands over the bytes, not text decoded as UTF-8

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        text = decode_csv(in_stream) if isinstance(in_stream, bytes) else in_stream
        try:
            return tablib.import_set(text, format="csv", **kwargs)
        except Exception as exc:  # tablib raises several kinds for a malformed file
            raise FileNotReadable("无法读取 CSV 文件：请检查文件内容是否为逗号分隔的表格。") from exc


def template_dataset(resource) -> tablib.Dataset:
    """The import columns of `resource` with one example row, for the office to fill in."""
    department = Department.objects.order_by("code").first()
    official = Official.objects.filter(is_active=True).order_by("id").first()
    example = {
        "code": "EQ2023-101", "name": "示例产业园（请改为项目名称）", "year": 2023, "category": "开工类",
        "level": "区重点", "sector": "产业", "zone": "二七经开区", "status": "谋划中", "batches": "第8期开工一批",
        "total_investment": "50000", "annual_plan_investment": "12000", "completed_investment": "0",
        "progress_percent": "0", "floor_area": "", "owner": "示例建设单位",
        "department": department.code if department else "fgw", "lead_official": official.name if official else "",
        "description": "",
    }
    names = [name for name in resource.get_import_order() if not resource.fields[name].readonly]
    dataset = tablib.Dataset(headers=[resource.fields[name].column_name for name in names])
    dataset.append([example.get(name, "") for name in names])
    return dataset

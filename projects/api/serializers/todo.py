"""我的待办 (GET /me/todo/): six lists, every entry with its project (brief) and the admin page where it is done."""

from rest_framework import serializers


class TodoProjectSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class _Entry(serializers.Serializer):
    project = TodoProjectSerializer()
    link = serializers.CharField(help_text="管理后台中办理此事的页面（路径）")


class ReportDueSerializer(_Entry):
    due_on = serializers.DateField(help_text="本周填报截止日（REPORT_DUE_WEEKDAY，默认周五）")


class VisitDueSerializer(_Entry):
    last_visit_on = serializers.DateField(allow_null=True, help_text="最近一次调研日期；从未调研为 null")
    due_on = serializers.DateField(help_text="应调研日期（最近调研后 VISIT_INTERVAL_DAYS 天；从未调研为 as_of）")


class MilestoneDueSerializer(_Entry):
    id = serializers.IntegerField()
    title = serializers.CharField()
    due_date = serializers.DateField()
    days_overdue = serializers.IntegerField(help_text="逾期天数；未到期为 0")


class ApprovalDueSerializer(_Entry):
    id = serializers.IntegerField()
    name = serializers.CharField()
    due_date = serializers.DateField()
    days_overdue = serializers.IntegerField(help_text="逾期天数")


class ProblemDueSerializer(_Entry):
    id = serializers.IntegerField()
    title = serializers.CharField()
    due_date = serializers.DateField(allow_null=True, help_text="限时办结日期；待交办的问题为 null")
    escalation_level = serializers.IntegerField(help_text="督办等级：0 正常，1 催办，2 督办，3 通报")


class TodoSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    reports_due = ReportDueSerializer(many=True, help_text="本周尚未填报进度的推进中项目")
    visits_due = VisitDueSerializer(many=True, help_text="分包领导：调研已逾期或 7 天内到期的项目")
    milestones = MilestoneDueSerializer(many=True, help_text="临期或逾期的未完成节点")
    approvals = ApprovalDueSerializer(many=True, help_text="逾期的审批事项")
    problems_to_answer = ProblemDueSerializer(many=True, help_text="交办给本单位或本人协调的待反馈问题")
    problems_to_assign = ProblemDueSerializer(many=True, help_text="重点项目办：待交办的问题")

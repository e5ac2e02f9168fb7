"""Excel import and export of the tree (being written)."""
from django.http import HttpResponse


def import_tree(request):
    return HttpResponse("")


def export_tree(request):
    return HttpResponse("")
